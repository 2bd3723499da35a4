import { buildPurl } from "../purl/purl.js";
import type { Package } from "../types.js";

export const PYTHON_CATALOGER = "python";

/** PEP 503 normalised project name: lower case, runs of "-", "_", "." become one "-". */
export function normalizePyName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

/** A plausible project name (PEP 508 identifier). */
export function isPyName(name: unknown): name is string {
  return typeof name === "string" && /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(name);
}

/** Builds a PyPI Package; the purl carries the PEP 503 normalised name. */
export function pyPackage(
  name: string,
  version: string,
  path: string,
  extra: { licenses?: string[]; meta?: Record<string, string> } = {},
): Package {
  const purl = buildPurl({ type: "pypi", name: normalizePyName(name), version });
  const p: Package = { type: PYTHON_CATALOGER, name, version, ecosystem: "PyPI", purl, path };
  if (extra.licenses && extra.licenses.length > 0) p.licenses = extra.licenses;
  if (extra.meta) p.meta = extra.meta;
  return p;
}
