import { checkLength, invalidVersion, validBy, type Ordering, type VersionScheme } from "./scheme.js";
import { compareSemverParts, semverSortKey, stripZeros, type SemverParts } from "./semver-core.js";

const NAME = "semver";
const RE = /^v?(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?(?:\.(0|[1-9][0-9]*))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/**
 * OSV's generic "SemVer" type (used by Bitnami): SemVer 2.0 precedence, tolerant of what
 * advisories contain in practice — a leading "v", missing minor/patch ("1.2" = "1.2.0"),
 * numbers of any size, leading zeros in numeric pre-release identifiers (compared by value).
 */
export function parseSemver(input: string): SemverParts {
  checkLength(NAME, input);
  const m = RE.exec(input);
  if (!m) throw invalidVersion(NAME, input, "not MAJOR[.MINOR[.PATCH]][-PRERELEASE][+BUILD]");
  return {
    release: [m[1] ?? "0", m[2] ?? "0", m[3] ?? "0"].map(stripZeros),
    pre: m[4] ? m[4].split(".") : [],
    build: m[5] ? m[5].split(".") : [],
  };
}

/** OSV "SemVer" ordering (Bitnami and any advisory whose range type is SEMVER). */
export const semver = {
  name: NAME,
  parse: parseSemver,
  compare: (a: string, b: string): Ordering => compareSemverParts(parseSemver(a), parseSemver(b)),
  valid: validBy(parseSemver),
  sortKey: (v: string): string | undefined => {
    try {
      return semverSortKey(parseSemver(v));
    } catch {
      return undefined;
    }
  },
} satisfies VersionScheme;
