import { LookoutError } from "@lookout/domain";
import { buildPurl } from "../purl/purl.js";
import type { LayerFile, Package } from "../types.js";

export const NPM_CATALOGER = "npm";

/** Builds an npm Package; `@scope/name` becomes purl namespace `%40scope`. */
export function npmPackage(
  name: string,
  version: string,
  path: string,
  extra: { licenses?: string[]; meta?: Record<string, string> } = {},
): Package {
  const slash = name.startsWith("@") ? name.indexOf("/") : -1;
  const purl = buildPurl({
    type: "npm",
    namespace: slash > 0 ? name.slice(0, slash) : undefined,
    name: slash > 0 ? name.slice(slash + 1) : name,
    version,
  });
  const p: Package = { type: NPM_CATALOGER, name, version, ecosystem: "npm", purl, path };
  if (extra.licenses && extra.licenses.length > 0) p.licenses = extra.licenses;
  if (extra.meta) p.meta = extra.meta;
  return p;
}

/** A plausible registry package name: rejects paths, URLs and garbage keys. */
export function isNpmName(name: unknown): name is string {
  return typeof name === "string" && /^(@[^/@\s]+\/)?[^/@\s][^/\s]*$/.test(name) && name.length <= 214;
}

/** A resolved version (semver-ish), not a range, URL, path or git ref. */
export function isNpmVersion(v: unknown): v is string {
  return typeof v === "string" && /^\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]*)?$/.test(v);
}

/** Reads and parses a JSON file under a byte cap; garbage becomes a typed error (an unknown). */
export async function readJson(file: LayerFile, maxBytes: number, what: string): Promise<unknown> {
  const buf = await file.read(maxBytes);
  try {
    return JSON.parse(buf.toString("utf8")) as unknown;
  } catch (cause) {
    throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `${what}: ${file.path} is not valid JSON`, { cause });
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `license` as a string or {type}, or legacy `licenses: [string | {type}]`. */
export function npmLicenses(doc: Record<string, unknown>): string[] {
  const out: string[] = [];
  const add = (l: unknown): void => {
    if (typeof l === "string" && l.trim() !== "") out.push(l.trim());
    else if (isRecord(l) && typeof l.type === "string" && l.type.trim() !== "") out.push(l.type.trim());
  };
  add(doc.license);
  if (Array.isArray(doc.license)) doc.license.forEach(add);
  if (Array.isArray(doc.licenses)) doc.licenses.forEach(add);
  else add(doc.licenses);
  return [...new Set(out)];
}
