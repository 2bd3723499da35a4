import { LookoutError } from "@lookout/domain";
import { parseAllDocuments } from "yaml";
import type { LayerFile, Package } from "../types.js";
import { LOCKFILE_MAX_BYTES } from "./parse-package-lock.js";
import { isNpmName, isNpmVersion, isRecord, npmPackage } from "./package.js";

/**
 * pnpm-lock.yaml. The `packages` keys changed shape across lockfile versions:
 *   v5:  /name/1.0.0, /@scope/name/1.0.0_peer@2.0.0
 *   v6:  /name@1.0.0, /@scope/name@1.0.0(peer@2.0.0)
 *   v9:  name@1.0.0 (peer suffixes only in `snapshots`)
 * Entries from tarballs, git or local paths carry `name`/`version` fields, which win.
 */
export async function parsePnpmLock(file: LayerFile): Promise<Package[]> {
  const text = (await file.read(LOCKFILE_MAX_BYTES)).toString("utf8");
  const doc = projectDocument(text, file.path);
  if (!isRecord(doc)) throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `npm: ${file.path} is not a pnpm lockfile`);
  const major = Number.parseFloat(String(doc.lockfileVersion ?? ""));
  if (!Number.isFinite(major)) throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `npm: ${file.path} has no lockfileVersion`);
  const packages = isRecord(doc.packages) ? doc.packages : {};
  const seen = new Map<string, Package>();
  for (const [key, raw] of Object.entries(packages)) {
    const entry = isRecord(raw) ? raw : {};
    const fromKey = major < 6 ? splitV5(key) : splitAt(key);
    const name = typeof entry.name === "string" ? entry.name : fromKey?.name;
    const version = typeof entry.version === "string" ? entry.version : fromKey?.version;
    if (!isNpmName(name) || !isNpmVersion(version)) continue;
    const meta: Record<string, string> = { source: "lockfile" };
    if (entry.dev === true) meta.dev = "true";
    seen.set(`${name}@${version}`, npmPackage(name, version, file.path, { meta }));
  }
  return [...seen.values()];
}

/**
 * pnpm 9+ may prepend a document for the package manager's own dependencies
 * (`packageManagerDependencies`); the project's lockfile is the last document.
 */
function projectDocument(text: string, path: string): unknown {
  // Lockfiles have no aliases worth expanding; the cap stops "billion laughs" documents.
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  const last = list.at(-1);
  const error = list.flatMap((d) => d.errors)[0];
  if (!last || error) throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `npm: ${path} is not valid YAML`, { cause: error });
  try {
    return last.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (cause) {
    throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `npm: ${path} is not valid YAML`, { cause });
  }
}

/** v6/v9: "[/]name@version[(peers)]", scope "@" excluded from the split. */
function splitAt(key: string): { name: string; version: string } | undefined {
  const k = key.replace(/^\//, "");
  const at = k.indexOf("@", 1);
  if (at < 0) return undefined;
  return { name: k.slice(0, at), version: k.slice(at + 1).replace(/\(.*$/, "") };
}

/** v5: "[registry]/name/version[_peers]". */
function splitV5(key: string): { name: string; version: string } | undefined {
  const parts = key.replace(/^[^/]*\//, "").split("/");
  const version = parts.pop();
  if (version === undefined || parts.length === 0) return undefined;
  return { name: parts.join("/"), version: version.replace(/_.*$/, "") };
}
