import { inflateSync } from "node:zlib";
import { LookoutError } from "@lookout/domain";
import { readExeLayout } from "../go/exe.js";
import { RandomAccess, type ByteReader } from "../go/random-access.js";
import type { Package } from "../types.js";
import { CRATE_NAME, CRATE_VERSION, cratePackage } from "./package.js";

export const RUST_BINARY_CATALOGER = "rust-binary";
/** cargo-auditable data is a few KiB; caps stop a hostile section or a zlib bomb. */
const MAX_SECTION_BYTES = 4 * 1024 * 1024;
const MAX_JSON_BYTES = 16 * 1024 * 1024;
const SECTION_NAMES = new Set([".dep-v0", "__dep_v0"]);

/**
 * Dependencies embedded by cargo-auditable: a `.dep-v0` section (`__dep_v0` on Mach-O) holding
 * zlib-compressed JSON `{"packages":[{name, version, source, kind?, root?}]}`. Only crates.io
 * packages are reported as crates.io packages; the root crate and local/git ones are skipped,
 * build-time dependencies are flagged `meta.kind = "build"`. [] for binaries without the section.
 */
export async function readAuditable(hostPath: string, imagePath: string): Promise<Package[]> {
  return readAuditableFrom(await RandomAccess.open(hostPath, `rust: ${imagePath}`), imagePath);
}

/** readAuditable over any reader; closes it. */
export async function readAuditableFrom(ra: ByteReader, imagePath: string): Promise<Package[]> {
  let compressed: Buffer;
  try {
    const layout = await readExeLayout(ra);
    const section = layout?.sections.find((s) => SECTION_NAMES.has(s.name));
    if (!section) return [];
    if (section.size > MAX_SECTION_BYTES) throw new LookoutError("LKT_ERR_ARCHIVE_LIMIT", `rust: ${imagePath} dependency section is ${section.size} bytes`);
    compressed = await ra.read(section.off, section.size);
  } finally {
    await ra.close();
  }
  let doc: unknown;
  try {
    doc = JSON.parse(inflateSync(compressed, { maxOutputLength: MAX_JSON_BYTES }).toString("utf8"));
  } catch (cause) {
    const tooBig = cause instanceof RangeError;
    throw new LookoutError(tooBig ? "LKT_ERR_ARCHIVE_LIMIT" : "LKT_ERR_PACKAGE_DB_INVALID", `rust: ${imagePath} has ${tooBig ? "an oversized" : "a malformed"} cargo-auditable section`, { cause });
  }
  const pkgs = (doc as { packages?: unknown }).packages;
  if (!Array.isArray(pkgs)) throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `rust: ${imagePath} cargo-auditable data has no packages`);
  const out: Package[] = [];
  for (const p of pkgs) {
    if (typeof p !== "object" || p === null) continue;
    const { name, version, source, kind, root } = p as Record<string, unknown>;
    if (root === true || source !== "crates.io") continue;
    if (typeof name !== "string" || typeof version !== "string" || !CRATE_NAME.test(name) || !CRATE_VERSION.test(version)) continue;
    out.push(cratePackage(RUST_BINARY_CATALOGER, name, version, imagePath, kind === "build" ? { kind: "build" } : {}));
  }
  return out;
}
