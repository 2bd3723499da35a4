import type { FileCataloger } from "../types.js";
import { wantsExecutable } from "../go/index.js";
import { openReader } from "../go/random-access.js";
import { isGoElf, rustBinaryPlan } from "../go/sample.js";
import { readAuditableFrom, RUST_BINARY_CATALOGER } from "./auditable.js";
import { CARGO_CATALOGER, parseCargoLock } from "./parse-cargo-lock.js";

/** Cargo.lock files outside the cargo registry cache (vendored crates ship their own). */
export const cargoLockCataloger = {
  name: CARGO_CATALOGER,
  version: 1,
  match: { basenames: ["Cargo.lock"] },
  wants: (path) => path.endsWith("/Cargo.lock") && !path.includes("/.cargo/registry/"),
  parse: (file) => parseCargoLock(file),
} satisfies FileCataloger;

/** Rust executables built with cargo-auditable (same executable filter as go-binary). */
export const rustBinaryCataloger = {
  name: RUST_BINARY_CATALOGER,
  version: 1,
  match: { executables: true },
  wants: wantsExecutable,
  sample: (head) => rustBinaryPlan(head),
  // A sampled Go program was skipped by the plan above (its bytes are kept for the Go reader).
  parse: async (file) => (file.sampled && isGoElf(file.sampled[0]!.bytes) ? [] : readAuditableFrom(await openReader(file, `rust: ${file.path}`), file.path)),
} satisfies FileCataloger;

export const RUST_CATALOGERS: FileCataloger[] = [cargoLockCataloger, rustBinaryCataloger];
