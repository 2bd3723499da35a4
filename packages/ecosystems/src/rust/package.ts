import { buildPurl } from "../purl/purl.js";
import type { Package } from "../types.js";

export function cratePackage(type: string, name: string, version: string, path: string, meta: Record<string, string>): Package {
  return { type, name, version, ecosystem: "crates.io", purl: buildPurl({ type: "cargo", name, version }), path, meta };
}

export const CRATE_NAME = /^[A-Za-z0-9_-]+$/;
export const CRATE_VERSION = /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/;
