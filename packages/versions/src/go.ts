import { checkLength, invalidVersion, validBy, type Ordering, type VersionScheme } from "./scheme.js";
import { compareSemverParts, semverSortKey, type SemverParts } from "./semver-core.js";

const NAME = "go";
const NUM = "0|[1-9][0-9]*";
const PRE_ID = `(?:[0-9]*[a-zA-Z-][a-zA-Z0-9-]*|${NUM})`;
// golang.org/x/mod/semver: vMAJOR[.MINOR[.PATCH[-PRE][+BUILD]]]; shorthands take no suffix.
const RE = new RegExp(
  `^v(${NUM})(?:\\.(${NUM})(?:\\.(${NUM})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?)?)?$`,
);

/**
 * Go module versions as golang.org/x/mod/semver parses them ("v1", "v1.2" are shorthands for
 * v1.0.0, v1.2.0). OSV writes Go versions without the "v", so one is added when missing.
 * `+incompatible` is build metadata and pseudo-versions are pre-releases, so both order as
 * `semver.Compare` orders them.
 */
export function parseGo(input: string): SemverParts {
  checkLength(NAME, input);
  const v = input.startsWith("v") ? input : `v${input}`;
  const m = RE.exec(v);
  if (!m) throw invalidVersion(NAME, input, "not a Go module semantic version");
  return {
    release: [m[1] ?? "0", m[2] ?? "0", m[3] ?? "0"],
    pre: m[4] ? m[4].split(".") : [],
    build: m[5] ? m[5].split(".") : [],
  };
}

/** Go modules, ordered like golang.org/x/mod/semver.Compare on valid versions. */
export const go = {
  name: NAME,
  parse: parseGo,
  compare: (a: string, b: string): Ordering => compareSemverParts(parseGo(a), parseGo(b)),
  valid: validBy(parseGo),
  sortKey: (v: string): string | undefined => {
    try {
      return semverSortKey(parseGo(v));
    } catch {
      return undefined;
    }
  },
} satisfies VersionScheme;
