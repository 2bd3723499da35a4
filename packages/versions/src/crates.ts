import { checkLength, invalidVersion, validBy, type Ordering, type VersionScheme } from "./scheme.js";
import { compareSemverParts, semverSortKey, type SemverParts } from "./semver-core.js";

const NAME = "crates";
const NUM = "0|[1-9][0-9]*";
const PRE_ID = `(?:[0-9]*[a-zA-Z-][a-zA-Z0-9-]*|${NUM})`;
const RE = new RegExp(
  `^(${NUM})\\.(${NUM})\\.(${NUM})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?$`,
);
const U64_MAX = 18446744073709551615n;

/**
 * Strict SemVer 2.0 as Cargo's `semver::Version::parse` accepts it: no "v", exactly three
 * numbers without leading zeros, each fitting in u64; pre-release numbers without leading zeros.
 */
export function parseCrates(input: string): SemverParts {
  checkLength(NAME, input);
  const m = RE.exec(input);
  if (!m) throw invalidVersion(NAME, input, "not MAJOR.MINOR.PATCH[-PRE][+BUILD]");
  const release = [m[1], m[2], m[3]] as string[];
  for (const r of release) {
    if (r.length > 19 && BigInt(r) > U64_MAX) throw invalidVersion(NAME, input, "number does not fit in u64");
  }
  return { release, pre: m[4] ? m[4].split(".") : [], build: m[5] ? m[5].split(".") : [] };
}

/** crates.io versions: SemVer 2.0 precedence (build metadata ignored, as OSV and Cargo's resolver do). */
export const crates = {
  name: NAME,
  parse: parseCrates,
  compare: (a: string, b: string): Ordering => compareSemverParts(parseCrates(a), parseCrates(b)),
  valid: validBy(parseCrates),
  sortKey: (v: string): string | undefined => {
    try {
      return semverSortKey(parseCrates(v));
    } catch {
      return undefined;
    }
  },
} satisfies VersionScheme;
