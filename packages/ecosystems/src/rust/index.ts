import type { FileCataloger } from "../types.js";
import { wantsExecutable } from "../go/index.js";
import { readAuditable, RUST_BINARY_CATALOGER } from "./auditable.js";
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
  parse: async (file) => readAuditable(await file.hostPath(), file.path),
} satisfies FileCataloger;

export const RUST_CATALOGERS: FileCataloger[] = [cargoLockCataloger, rustBinaryCataloger];
