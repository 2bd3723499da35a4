import { checkLength, invalidVersion, validBy, type Ordering, type VersionScheme } from "./scheme.js";
import { semverSortKey, stripZeros, type SemverParts } from "./semver-core.js";

const NAME = "nuget";
const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;

/** SemanticVersion.ParseSections: version before the first '-' or '+', labels, then metadata. */
function sections(value: string): [string, string[] | null, string | null] | null {
  let version: string | null = null;
  let labels: string[] | null = null;
  let meta: string | null = null;
  let dash = -1;
  let plus = -1;
  for (let i = 0; i < value.length; i++) {
    const end = i === value.length - 1;
    const c = value[i];
    if (dash < 0) {
      if (end || c === "-" || c === "+") {
        version = value.slice(0, i + (end ? 1 : 0));
        dash = i;
        if (c === "+") plus = i;
      }
    } else if (plus < 0) {
      if (end || c === "+") {
        labels = value.slice(dash + 1, i + (end ? 1 : 0)).split(".");
        plus = i;
      }
    } else if (end) {
      meta = value.slice(plus + 1, i + 1);
    }
  }
  return version === null ? null : [version, labels, meta];
}

const validPart = (s: string, allowLeadingZeros: boolean): boolean =>
  s.length > 0 && /^[0-9A-Za-z-]+$/.test(s) && (allowLeadingZeros || !/^0[0-9]+$/.test(s));

/**
 * NuGetVersion.TryParse (NuGet.Versioning): 1–4 numeric parts (System.Version, int32 each, missing
 * parts are 0), dot-separated release labels without numeric leading zeros, any metadata.
 */
export function parseNuget(input: string): SemverParts {
  checkLength(NAME, input);
  const s = sections(input.trim());
  if (s === null || s[0] === "") throw invalidVersion(NAME, input, "no version number");
  const [version, labels, meta] = s;
  const parts = version.split(".");
  if (parts.length > 4 || !parts.every((p) => /^[0-9]+$/.test(p) && Number(p) <= INT32_MAX)) {
    throw invalidVersion(NAME, input, "version must be 1 to 4 non-negative int32 numbers");
  }
  if (labels && !labels.every((l) => validPart(l, false))) throw invalidVersion(NAME, input, "invalid release label");
  if (meta !== null && !meta.split(".").every((m) => validPart(m, true))) throw invalidVersion(NAME, input, "invalid metadata");
  const release = [0, 1, 2, 3].map((i) => stripZeros(parts[i] ?? "0"));
  return { release, pre: labels ?? [], build: meta === null ? [] : meta.split(".") };
}

/** Int32.TryParse on a label: an optional '-' and digits within int32; bigger numbers are text. */
function labelNumber(s: string): number | undefined {
  if (!/^-?[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return n >= INT32_MIN && n <= INT32_MAX ? n : undefined;
}

// VersionComparer.CompareRelease: int32 labels numerically, numbers first, text ignoring case.
function cmpLabel(a: string, b: string): Ordering {
  const x = labelNumber(a);
  const y = labelNumber(b);
  if (x !== undefined && y !== undefined) return x === y ? 0 : x < y ? -1 : 1;
  if (x !== undefined) return -1;
  if (y !== undefined) return 1;
  const p = a.toUpperCase();
  const q = b.toUpperCase();
  return p === q ? 0 : p < q ? -1 : 1;
}

/** VersionComparer.Default: Major.Minor.Patch.Revision, then release labels; metadata ignored. */
export function compareNugetParsed(a: SemverParts, b: SemverParts): Ordering {
  for (let i = 0; i < 4; i++) {
    const x = Number(a.release[i]);
    const y = Number(b.release[i]);
    if (x !== y) return x < y ? -1 : 1;
  }
  if (a.pre.length === 0 || b.pre.length === 0) {
    return a.pre.length === b.pre.length ? 0 : a.pre.length === 0 ? 1 : -1;
  }
  const n = Math.max(a.pre.length, b.pre.length);
  for (let i = 0; i < n; i++) {
    if (i >= a.pre.length) return -1;
    if (i >= b.pre.length) return 1;
    const r = cmpLabel(a.pre[i] as string, b.pre[i] as string);
    if (r !== 0) return r;
  }
  return 0;
}

/** NuGet package versions (NuGet.Versioning, SemVer 2 with a fourth number). */
export const nuget = {
  name: NAME,
  parse: parseNuget,
  compare: (a: string, b: string): Ordering => compareNugetParsed(parseNuget(a), parseNuget(b)),
  valid: validBy(parseNuget),
  sortKey: (v: string): string | undefined => {
    try {
      const p = parseNuget(v);
      if (p.pre.some((l) => l.startsWith("-") && labelNumber(l) !== undefined)) return undefined;
      const pre = p.pre.map((l) => l.toUpperCase());
      return semverSortKey({ ...p, pre }, (l) => labelNumber(l) !== undefined);
    } catch {
      return undefined;
    }
  },
} satisfies VersionScheme;
