import { invalidVersion, validBy, type Ordering, type VersionScheme } from "./scheme.js";
import { compareSemverParts, isNumericId, semverSortKey, type SemverParts } from "./semver-core.js";

const NAME = "npm";
// node-semver's constants: MAX_LENGTH and MAX_SAFE_INTEGER guard SemVer construction.
const MAX_LENGTH = 256;
const NUM = "0|[1-9][0-9]*";
const PRE_ID = `(?:[0-9]*[a-zA-Z-][a-zA-Z0-9-]*|${NUM})`;
const BUILD_ID = "[0-9A-Za-z-]+";
// node-semver's FULL regex (non-loose): optional "v", no "=" and no missing parts.
const FULL = new RegExp(
  `^v?(${NUM})\\.(${NUM})\\.(${NUM})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?$`,
);

/**
 * Parses like `new SemVer(v)` from node-semver (strict mode, which `semver.compare` uses):
 * trims whitespace, accepts one leading "v", rejects numbers above Number.MAX_SAFE_INTEGER.
 */
export function parseNpm(input: string): SemverParts {
  if (typeof input !== "string" || input.length > MAX_LENGTH) {
    throw invalidVersion(NAME, String(input), `longer than ${MAX_LENGTH} characters`);
  }
  const m = FULL.exec(input.trim());
  if (!m) throw invalidVersion(NAME, input, "not a valid semver version");
  const release = [m[1], m[2], m[3]] as string[];
  for (const r of release) {
    if (Number(r) > Number.MAX_SAFE_INTEGER) throw invalidVersion(NAME, input, "number above MAX_SAFE_INTEGER");
  }
  return { release, pre: m[4] ? m[4].split(".") : [], build: m[5] ? m[5].split(".") : [] };
}

// node-semver compareIdentifiers: numeric identifiers compare as JS numbers (+a), so huge ones
// lose precision exactly as they do in npm.
function cmpNpmId(a: string, b: string): Ordering {
  const an = isNumericId(a);
  const bn = isNumericId(b);
  if (an && bn) {
    const x = +a;
    const y = +b;
    return x === y ? 0 : x < y ? -1 : 1;
  }
  if (a === b) return 0;
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : 1;
}

/** npm package versions, ordered like node-semver's `compare` (build metadata ignored). */
export const npm = {
  name: NAME,
  parse: parseNpm,
  compare: (a: string, b: string): Ordering => compareSemverParts(parseNpm(a), parseNpm(b), cmpNpmId),
  valid: validBy(parseNpm),
  sortKey: (v: string): string | undefined => {
    try {
      const p = parseNpm(v);
      // Keys are exact only where JS numbers are: skip numeric identifiers beyond 2^53.
      if (p.pre.some((id) => isNumericId(id) && id.length > 15)) return undefined;
      return semverSortKey(p);
    } catch {
      return undefined;
    }
  },
} satisfies VersionScheme;
