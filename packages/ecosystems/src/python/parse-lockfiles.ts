import { LookoutError } from "@lookout/domain";
import { parse as parseToml } from "smol-toml";
import type { LayerFile, Package } from "../types.js";
import { isPyName, pyPackage } from "./package.js";

export const PY_LOCKFILE_MAX_BYTES = 32 * 1024 * 1024;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function invalid(file: LayerFile, what: string, cause?: unknown): LookoutError {
  return new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `python: ${file.path} ${what}`, { cause });
}

const LOCK_META = { source: "lockfile" } as const;

/**
 * poetry.lock: `[[package]]` tables with name/version. Poetry 1.x marks dev packages with
 * `category = "dev"`, 2.x with `groups` lacking "main".
 */
export async function parsePoetryLock(file: LayerFile): Promise<Package[]> {
  const text = (await file.read(PY_LOCKFILE_MAX_BYTES)).toString("utf8");
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (cause) {
    throw invalid(file, "is not valid TOML", cause);
  }
  const pkgs = Array.isArray(doc.package) ? doc.package : [];
  const out: Package[] = [];
  for (const p of pkgs) {
    if (!isRecord(p) || !isPyName(p.name) || typeof p.version !== "string") continue;
    const groups = Array.isArray(p.groups) ? p.groups : undefined;
    const dev = p.category === "dev" || (groups !== undefined && groups.length > 0 && !groups.includes("main"));
    out.push(pyPackage(p.name, p.version, file.path, { meta: dev ? { ...LOCK_META, dev: "true" } : { ...LOCK_META } }));
  }
  return out;
}

/** Pipfile.lock: JSON `default` and `develop` sections, each `name: {version: "==x"}`. */
export async function parsePipfileLock(file: LayerFile): Promise<Package[]> {
  let doc: unknown;
  try {
    doc = JSON.parse((await file.read(PY_LOCKFILE_MAX_BYTES)).toString("utf8"));
  } catch (cause) {
    if (cause instanceof LookoutError) throw cause;
    throw invalid(file, "is not valid JSON", cause);
  }
  if (!isRecord(doc)) throw invalid(file, "is not a Pipfile.lock object");
  const out: Package[] = [];
  for (const section of ["default", "develop"] as const) {
    const deps = doc[section];
    if (!isRecord(deps)) continue;
    for (const [name, spec] of Object.entries(deps)) {
      const version = isRecord(spec) && typeof spec.version === "string" ? /^===?([^\s;,]+)$/.exec(spec.version)?.[1] : undefined;
      if (!isPyName(name) || !version) continue;
      const meta: Record<string, string> = section === "develop" ? { ...LOCK_META, dev: "true" } : { ...LOCK_META };
      out.push(pyPackage(name, version, file.path, { meta }));
    }
  }
  return out;
}
