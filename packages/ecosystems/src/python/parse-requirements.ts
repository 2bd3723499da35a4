import { LookoutError } from "@lookout/domain";
import type { LayerFile, Package } from "../types.js";
import { normalizePyName, pyPackage } from "./package.js";

export const REQUIREMENTS_MAX_BYTES = 4 * 1024 * 1024;

/** `name[extras] == version` with optional `; marker` and trailing options/comments. */
const PINNED = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*===?\s*([A-Za-z0-9][A-Za-z0-9.+!_-]*)\s*(?:;.*)?$/;

/**
 * pip requirements files: only exact pins (`==`, `===`) are packages; ranges, URLs, options
 * (`-r`, `--hash`) and editable installs are not. Names are PEP 503 normalised, as the
 * install would resolve them. Wildcard pins (`==1.*`) are ranges, not versions.
 */
export async function parseRequirements(file: LayerFile): Promise<Package[]> {
  const buf = await file.read(REQUIREMENTS_MAX_BYTES);
  if (buf.includes(0)) throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `python: ${file.path} is binary, not a requirements file`);
  const text = buf.toString("utf8").replace(/\\\r?\n/g, " ");
  const out = new Map<string, Package>();
  for (const raw of text.split(/\r?\n/)) {
    // Options after the requirement (--hash=...) and comments (" #") are not part of it.
    const line = raw.replace(/(^|\s)#.*$/, "").replace(/\s--?[a-z][\w-]*(=\S*|\s+\S+)?/g, "").trim();
    const m = PINNED.exec(line);
    if (!m?.[1] || !m[2]) continue;
    const name = normalizePyName(m[1]);
    out.set(`${name}@${m[2]}`, pyPackage(name, m[2], file.path, { meta: { source: "requirements" } }));
  }
  return [...out.values()];
}
