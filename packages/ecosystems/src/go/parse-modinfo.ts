import { buildPurl } from "../purl/purl.js";
import type { Package } from "../types.js";

export const GO_BINARY_CATALOGER = "go-binary";

interface Module {
  path: string;
  version: string;
}

/** Module version as OSV's Go ecosystem writes it: no "v" prefix. */
export function osvGoVersion(v: string): string {
  return v.replace(/^v/, "");
}

/**
 * Go toolchain version → stdlib version as govulncheck/OSV use it: "go1.21.3" → "1.21.3",
 * "go1.20" → "1.20.0", "go1.21rc2" → "1.21.0-rc.2"; GOEXPERIMENT suffixes dropped; undefined
 * for devel builds.
 */
export function stdlibVersion(goVersion: string): string | undefined {
  const m = /^go(\d+)\.(\d+)(?:\.(\d+))?(?:(beta|rc)(\d+))?(?:[ +-].*)?$/.exec(goVersion.trim());
  if (!m) return undefined;
  const [, major, minor, patch, pre, preNum] = m;
  return `${major}.${minor}.${patch ?? "0"}${pre ? `-${pre}.${preNum}` : ""}`;
}

/** purl of a Go module: the import path's last element is the name, the rest the namespace. */
export function goPurl(modulePath: string, version: string): string {
  const slash = modulePath.lastIndexOf("/");
  return buildPurl({
    type: "golang",
    namespace: slash > 0 ? modulePath.slice(0, slash) : undefined,
    name: slash > 0 ? modulePath.slice(slash + 1) : modulePath,
    version,
  });
}

function goPackage(mod: Module, path: string, meta: Record<string, string>): Package {
  return {
    type: GO_BINARY_CATALOGER,
    name: mod.path,
    version: osvGoVersion(mod.version),
    ecosystem: "Go",
    purl: goPurl(mod.path, mod.version),
    path,
    meta,
  };
}

/**
 * Packages of one binary from its build info text (`go version -m` lines: path, mod, dep,
 * "=>" replacement, build). A dep replaced by another module version reports the replacement
 * (that is the code linked in); one replaced by a local directory keeps its required version
 * and records the directory. The main module is reported only with a real version, never
 * "(devel)". The toolchain is reported as module "stdlib", as govulncheck and OSV do.
 */
export function packagesFromModinfo(goVersion: string, modinfo: string, path: string): Package[] {
  const base: Record<string, string> = { goToolchain: goVersion };
  const out: Package[] = [];
  let main: Module | undefined;
  let mainPackage: string | undefined;
  const deps: { mod: Module; replace?: Module }[] = [];
  for (const line of modinfo.split("\n")) {
    const f = line.split("\t");
    if (f[0] === "path" && f[1]) mainPackage = f[1];
    else if (f[0] === "mod" && f[1]) main = { path: f[1], version: f[2] ?? "" };
    else if (f[0] === "dep" && f[1] && f[2]) deps.push({ mod: { path: f[1], version: f[2] } });
    else if (f[0] === "=>" && f[1] && deps.length > 0) deps[deps.length - 1]!.replace = { path: f[1], version: f[2] ?? "" };
  }
  if (mainPackage) base.goMainPackage = mainPackage;
  if (main) base.goMainModule = main.path;
  const std = stdlibVersion(goVersion);
  if (std) out.push(goPackage({ path: "stdlib", version: std }, path, { ...base }));
  if (main && /^v\d/.test(main.version)) out.push(goPackage(main, path, { ...base, goMain: "true" }));
  for (const { mod, replace } of deps) {
    // A directory replacement has no version ("" or "(devel)" depending on the toolchain).
    if (replace && /^v\d/.test(replace.version)) out.push(goPackage(replace, path, { ...base, goReplaces: `${mod.path}@${mod.version}` }));
    else if (replace) out.push(goPackage(mod, path, { ...base, goReplacedByDir: replace.path }));
    else out.push(goPackage(mod, path, { ...base }));
  }
  return out;
}
