import type { FileCataloger, FileInfo } from "../types.js";
import { readGoBuildInfoFrom } from "./buildinfo.js";
import { openReader } from "./random-access.js";
import { goBinaryPlan } from "./sample.js";
import { parseGoMod } from "./parse-go-mod.js";
import { packagesFromModinfo } from "./parse-modinfo.js";

/** The smallest Go executable is over 1 MiB; 64 KiB keeps scripts and tiny C tools out. */
export const EXECUTABLE_MIN_BYTES = 64 * 1024;
/** Larger files are not kept by the walker (cost); recorded nowhere, like any unwanted file. */
export const EXECUTABLE_MAX_BYTES = 256 * 1024 * 1024;
/** Executable-bit files that are never Go/Rust programs: scripts, shared objects. */
const NOT_A_PROGRAM = /\.(?:sh|bash|py|pl|rb|js|mjs|cjs|php|lua|jar|txt|json|so(?:\.\d+)*)$/;

/**
 * Shared `wants` for executable readers (Go build info, Rust cargo-auditable): any regular
 * file with an execute bit, anywhere in the image, sized 64 KiB-256 MiB. Anywhere, because
 * Go and Rust programs live in /app, /opt, / and /usr/local/bin as often as in bin dirs; the
 * cost is keeping every such executable in scratch once per layer, which the size floor and
 * the script/shared-object filter keep to the real binaries.
 */
export function wantsExecutable(path: string, info: FileInfo): boolean {
  return (info.mode & 0o111) !== 0 && info.size >= EXECUTABLE_MIN_BYTES && info.size <= EXECUTABLE_MAX_BYTES && !NOT_A_PROGRAM.test(path);
}

/**
 * Go binaries: module build info read by offset from ELF (and PE/Mach-O) executables: the
 * main module, every dependency (replacements applied) and the toolchain as `stdlib`.
 * Non-Go executables give []; malformed build info throws (recorded as an unknown).
 */
export const goBinaryCataloger = {
  name: "go-binary",
  version: 1,
  match: { executables: true },
  wants: wantsExecutable,
  sample: (head) => goBinaryPlan(head),
  async parse(file) {
    const info = await readGoBuildInfoFrom(await openReader(file, `go: ${file.path}`), file.path);
    return info ? packagesFromModinfo(info.goVersion, info.modinfo, file.path) : [];
  },
} satisfies FileCataloger;

/** go.mod `require` lines (see parseGoMod); vendor copies inside module caches are skipped. */
export const goModCataloger = {
  name: "go-module",
  version: 1,
  match: { basenames: ["go.mod"] },
  wants: (path) => path.endsWith("/go.mod") && !path.includes("/pkg/mod/") && !path.includes("/vendor/"),
  parse: (file) => parseGoMod(file),
} satisfies FileCataloger;

/** Both Go catalogers, for the registry. */
export const GO_CATALOGERS: FileCataloger[] = [goBinaryCataloger, goModCataloger];
