import { LookoutError } from "@lookout/domain";
import type { LayerFile, Package } from "../types.js";
import { isPyName, pyPackage } from "./package.js";

/** Core metadata is a few KiB of headers plus the long description. */
export const METADATA_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Core metadata (PEP 566 / 643): `*.dist-info/METADATA`, `*.egg-info/PKG-INFO` and the
 * single-file `*.egg-info`. Email-style headers end at the first blank line; continuation
 * lines start with whitespace. Licenses: License-Expression, else License, else the
 * "License ::" trove classifiers (the last segment), as trivy reads them; "UNKNOWN" is dropped.
 */
export async function parseMetadata(file: LayerFile): Promise<Package[]> {
  const buf = await file.read(METADATA_MAX_BYTES);
  const headers = parseHeaders(buf.toString("utf8"));
  const name = headers.get("name")?.[0];
  const version = headers.get("version")?.[0];
  if (buf.subarray(0, 4096).includes(0) || !isPyName(name) || !version || /\s/.test(version)) {
    throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `python: ${file.path} has no valid Name/Version header`);
  }
  return [pyPackage(name, version, file.path, { licenses: licenses(headers) })];
}

function licenses(h: Map<string, string[]>): string[] {
  const expr = h.get("license-expression")?.[0];
  if (expr) return [expr];
  const lic = h.get("license")?.[0];
  if (lic && lic !== "UNKNOWN" && !lic.includes("\n")) return [lic];
  const fromClassifiers = (h.get("classifier") ?? [])
    .filter((c) => c.startsWith("License ::"))
    .map((c) => c.split("::").pop()?.trim() ?? "")
    .filter((c) => c !== "" && c !== "OSI Approved");
  return [...new Set(fromClassifiers)];
}

/** Header name (lower case) → values in order; stops at the body. */
export function parseHeaders(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let last: { key: string; idx: number } | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") break;
    if (/^[ \t]/.test(line) && last) {
      const values = out.get(last.key)!;
      values[last.idx] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const values = out.get(key) ?? [];
    values.push(line.slice(colon + 1).trim());
    out.set(key, values);
    last = { key, idx: values.length - 1 };
  }
  return out;
}
