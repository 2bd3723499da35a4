import { LookoutError } from "@lookout/domain";
import type { LayerFile, Package } from "../types.js";
import { goPurl, osvGoVersion } from "./parse-modinfo.js";

export const GO_MODULE_CATALOGER = "go-module";
export const GO_MOD_MAX_BYTES = 4 * 1024 * 1024;

interface Req {
  path: string;
  version: string;
  indirect: boolean;
}

/** Strips quotes from a module path token ("path" or `path`). */
function unquote(s: string): string {
  return s.replace(/^["`]|["`]$/g, "");
}

/**
 * go.mod `require` lines (single and block form) with `replace` directives applied: a module
 * replacement reports the replacing module, a directory replacement keeps the requirement.
 * The `go`/`toolchain` directives are minimums, not what a binary was built with, so no
 * stdlib package is reported here (the go-binary cataloger reports the real toolchain).
 */
export async function parseGoMod(file: LayerFile): Promise<Package[]> {
  const buf = await file.read(GO_MOD_MAX_BYTES);
  if (buf.includes(0)) throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `go: ${file.path} is binary, not a go.mod`);
  const reqs: Req[] = [];
  const replaces = new Map<string, { path: string; version: string }>();
  let block: string | undefined;
  for (const raw of buf.toString("utf8").split(/\r?\n/)) {
    const indirect = /\/\/\s*indirect\b/.test(raw);
    const line = raw.replace(/\/\/.*$/, "").trim();
    if (line === "") continue;
    if (block) {
      if (line === ")") block = undefined;
      else directive(block, line, indirect);
      continue;
    }
    const m = /^(require|replace|exclude|retract)\s*(\(\s*)?(.*)$/.exec(line);
    if (!m) continue;
    if (m[2] !== undefined) block = m[1];
    else directive(m[1]!, m[3]!, indirect);
  }

  function directive(kind: string, rest: string, indirect: boolean): void {
    const tok = rest.split(/\s+/).map(unquote);
    if (kind === "require" && tok[0] && tok[1]) reqs.push({ path: tok[0], version: tok[1], indirect });
    if (kind === "replace") {
      const arrow = tok.indexOf("=>");
      const from = tok[0];
      const to = tok[arrow + 1];
      // "old [v] => new [v]": a versioned match replaces only that version; either way key by path.
      if (arrow > 0 && from && to) replaces.set(from, { path: to, version: tok[arrow + 2] ?? "" });
    }
  }

  return reqs.map((r) => {
    const rep = replaces.get(r.path);
    const meta: Record<string, string> = {};
    if (r.indirect) meta.indirect = "true";
    let mod = { path: r.path, version: r.version };
    if (rep && rep.version !== "") {
      meta.goReplaces = `${r.path}@${r.version}`;
      mod = rep;
    } else if (rep) meta.goReplacedByDir = rep.path;
    return {
      type: GO_MODULE_CATALOGER,
      name: mod.path,
      version: osvGoVersion(mod.version),
      ecosystem: "Go",
      purl: goPurl(mod.path, mod.version),
      path: file.path,
      meta,
    };
  });
}
