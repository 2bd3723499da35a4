import type { FileCataloger } from "../types.js";
import { wantsExecutable } from "../go/index.js";
import { isExecutableFormat, isGoElf } from "../go/sample.js";
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
  // The Go linker never links a cargo-auditable section: a Go program needs none of its bytes
  // here (and is sampled for the Go reader), nor does a file that is no executable. Any other
  // executable is read whole.
  sample: (head) => (!isExecutableFormat(head) || isGoElf(head) ? "skip" : "whole"),
  parse: async (file) => (file.sampled ? [] : readAuditable(await file.hostPath(), file.path)),
} satisfies FileCataloger;

export const RUST_CATALOGERS: FileCataloger[] = [cargoLockCataloger, rustBinaryCataloger];
