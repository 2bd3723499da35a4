import type { Package } from "../types.js";
import { osPurl } from "../purl/os.js";

/**
 * apk-tools installed database: stanzas of one-letter `K:value` lines separated by blank lines
 * (P name, V version, A arch, o origin, L license, m maintainer). File lines (F/R/Z/a/M) are
 * skipped. When the origin is absent the package is its own origin.
 */
export function parseApkInstalled(text: string, path: string): Package[] {
  const out: Package[] = [];
  let cur = new Map<string, string>();
  const flush = (): void => {
    const name = cur.get("P");
    const version = cur.get("V");
    if (name && version) out.push(toPackage(cur, name, version, path));
    cur = new Map();
  };
  for (const raw of text.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line === "") {
      flush();
      continue;
    }
    if (line.length < 2 || line[1] !== ":") continue;
    const key = line[0] as string;
    if (key === "F" || key === "R" || key === "Z" || key === "a" || key === "M") continue;
    if (!cur.has(key)) cur.set(key, line.slice(2));
  }
  flush();
  return out;
}

function toPackage(f: Map<string, string>, name: string, version: string, path: string): Package {
  const arch = f.get("A");
  const license = f.get("L");
  const pkg: Package = {
    type: "apk",
    name,
    version,
    ecosystem: "",
    purl: osPurl({ type: "apk", name, version, arch }) ?? "",
    sourceName: f.get("o") || name,
    sourceVersion: version,
    path,
  };
  if (arch) pkg.arch = arch;
  if (license) pkg.licenses = splitLicense(license);
  const maintainer = f.get("m");
  if (maintainer) pkg.meta = { maintainer };
  return pkg;
}

/**
 * apk `L:` is an SPDX-ish expression ("MIT AND BSD-2-Clause", older DBs "GPL2+ MIT"). We keep
 * it as one expression; SBOM writers decide between id and expression.
 */
function splitLicense(l: string): string[] {
  return [l.trim()];
}
