import { LookoutError } from "@lookout/domain";
import { parse as parseToml } from "smol-toml";
import type { LayerFile, Package } from "../types.js";
import { CRATE_NAME, CRATE_VERSION, cratePackage } from "./package.js";

export const CARGO_CATALOGER = "rust-cargo";
export const CARGO_LOCK_MAX_BYTES = 32 * 1024 * 1024;

/**
 * Cargo.lock (v1-v4): every `[[package]]`. Registry crates carry their `source`; packages
 * without one are the workspace's own crates and get `meta.local = "true"` (reported, as
 * trivy does, but no crates.io advisory is about them); git sources get `meta.source = "git"`.
 */
export async function parseCargoLock(file: LayerFile): Promise<Package[]> {
  const text = (await file.read(CARGO_LOCK_MAX_BYTES)).toString("utf8");
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (cause) {
    throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `rust: ${file.path} is not valid TOML`, { cause });
  }
  const pkgs = Array.isArray(doc.package) ? (doc.package as unknown[]) : [];
  const out = new Map<string, Package>();
  for (const p of pkgs) {
    if (typeof p !== "object" || p === null) continue;
    const { name, version, source } = p as Record<string, unknown>;
    if (typeof name !== "string" || typeof version !== "string" || !CRATE_NAME.test(name) || !CRATE_VERSION.test(version)) continue;
    const meta: Record<string, string> = {};
    if (typeof source !== "string") meta.local = "true";
    else if (source.startsWith("git+")) meta.source = "git";
    out.set(`${name}@${version}`, cratePackage(CARGO_CATALOGER, name, version, file.path, meta));
  }
  return [...out.values()];
}
