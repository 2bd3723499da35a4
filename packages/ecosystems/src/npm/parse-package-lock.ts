import { LookoutError } from "@lookout/domain";
import type { LayerFile, Package } from "../types.js";
import { isNpmName, isNpmVersion, isRecord, npmLicenses, npmPackage, readJson } from "./package.js";

export const LOCKFILE_MAX_BYTES = 64 * 1024 * 1024;

interface Entry {
  name: string;
  version: string;
  dev: boolean;
  licenses: string[];
}

/**
 * package-lock.json (and npm-shrinkwrap.json). v2/v3 list every install location in `packages`
 * ("node_modules/a/node_modules/b"); v1 nests `dependencies`. Workspace links (`link: true`)
 * resolve to their target entry. Versions that are not resolved registry versions (git, file,
 * tarball URLs) are skipped: no advisory can match them. Deduplicated by name@version.
 */
export async function parsePackageLock(file: LayerFile): Promise<Package[]> {
  const doc = await readJson(file, LOCKFILE_MAX_BYTES, "npm");
  if (!isRecord(doc)) throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `npm: ${file.path} is not a lockfile object`);
  const entries = isRecord(doc.packages) ? fromPackages(doc.packages) : isRecord(doc.dependencies) ? fromDependencies(doc.dependencies) : [];
  const seen = new Map<string, Entry>();
  for (const e of entries) {
    const key = `${e.name}@${e.version}`;
    const prev = seen.get(key);
    // A version installed both as dev and prod counts as prod.
    if (!prev || (prev.dev && !e.dev)) seen.set(key, e);
  }
  return [...seen.values()].map((e) => {
    const meta: Record<string, string> = { source: "lockfile" };
    if (e.dev) meta.dev = "true";
    return npmPackage(e.name, e.version, file.path, { licenses: e.licenses, meta });
  });
}

/** Name of the package installed at a `packages` key: the part after the last node_modules/. */
function nameFromKey(key: string): string | undefined {
  const i = key.lastIndexOf("node_modules/");
  return i < 0 ? undefined : key.slice(i + "node_modules/".length);
}

function fromPackages(packages: Record<string, unknown>): Entry[] {
  const out: Entry[] = [];
  for (const [key, raw] of Object.entries(packages)) {
    if (key === "" || !isRecord(raw)) continue;
    const installedAs = nameFromKey(key);
    if (installedAs === undefined) continue; // a workspace source dir: reached through its link
    let entry = raw;
    if (raw.link === true && typeof raw.resolved === "string") {
      const target = packages[raw.resolved];
      if (!isRecord(target)) continue;
      entry = target;
    }
    // Aliases ("npm:real@1.0.0") record the real name in `name`.
    const name = typeof entry.name === "string" && raw.link !== true ? entry.name : installedAs;
    if (!isNpmName(name) || !isNpmVersion(entry.version)) continue;
    out.push({ name, version: entry.version, dev: raw.dev === true, licenses: npmLicenses(entry) });
  }
  return out;
}

function fromDependencies(deps: Record<string, unknown>, depth = 0): Entry[] {
  if (depth > 256) throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", "npm: lockfile dependencies nested too deeply");
  const out: Entry[] = [];
  for (const [key, raw] of Object.entries(deps)) {
    if (!isRecord(raw)) continue;
    let name = key;
    let version = raw.version;
    const alias = typeof version === "string" ? /^npm:((?:@[^/]+\/)?[^@]+)@(.+)$/.exec(version) : null;
    if (alias) [, name = key, version] = alias;
    if (isNpmName(name) && isNpmVersion(version)) out.push({ name, version, dev: raw.dev === true, licenses: [] });
    if (isRecord(raw.dependencies)) out.push(...fromDependencies(raw.dependencies, depth + 1));
  }
  return out;
}
