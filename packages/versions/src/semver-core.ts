import { cmpDigits, cmpStr, type Ordering } from "./scheme.js";

/** A SemVer-2.0-shaped version; numbers kept as digit strings so any size compares exactly. */
export interface SemverParts {
  /** Release numbers (3 for semver, 4 for NuGet), leading zeros stripped. */
  release: string[];
  /** Pre-release identifiers; empty for a release. */
  pre: string[];
  /** Build metadata identifiers; never part of the ordering. */
  build: string[];
}

export const isNumericId = (s: string): boolean => /^[0-9]+$/.test(s);

export function stripZeros(d: string): string {
  const s = d.replace(/^0+/, "");
  return s === "" ? "0" : s;
}

/** SemVer §11.4 identifier order: numeric < alphanumeric; numeric by value; others by ASCII. */
export function cmpIdentifier(a: string, b: string): Ordering {
  const an = isNumericId(a);
  const bn = isNumericId(b);
  if (an && bn) return cmpDigits(a, b);
  if (an) return -1;
  if (bn) return 1;
  return cmpStr(a, b);
}

/** SemVer precedence: release numbers, then "no pre-release" > any pre-release, then identifiers. */
export function compareSemverParts(
  a: SemverParts,
  b: SemverParts,
  cmpId: (x: string, y: string) => Ordering = cmpIdentifier,
): Ordering {
  const n = Math.max(a.release.length, b.release.length);
  for (let i = 0; i < n; i++) {
    const r = cmpDigits(a.release[i] ?? "0", b.release[i] ?? "0");
    if (r !== 0) return r;
  }
  if (a.pre.length === 0 || b.pre.length === 0) {
    return a.pre.length === b.pre.length ? 0 : a.pre.length === 0 ? 1 : -1;
  }
  const m = Math.min(a.pre.length, b.pre.length);
  for (let i = 0; i < m; i++) {
    const r = cmpId(a.pre[i] as string, b.pre[i] as string);
    if (r !== 0) return r;
  }
  return a.pre.length === b.pre.length ? 0 : a.pre.length < b.pre.length ? -1 : 1;
}

function keyNum(d: string): string | undefined {
  const s = stripZeros(d);
  return s.length > 99 ? undefined : String(s.length).padStart(2, "0") + s;
}

/**
 * Order-preserving key for SemVer precedence under byte comparison (SQL `COLLATE "C"`):
 * each number is length-prefixed, a release ends in "~" (above "-", which opens a
 * pre-release), numeric identifiers ("0…") sort before alphanumeric ones ("1…"), and "!"
 * (below every identifier character) separates identifiers. Identifiers must already be in
 * their compared form (NuGet lowercases them first). Undefined for numbers over 99 digits.
 */
export function semverSortKey(p: SemverParts, isNum: (id: string) => boolean = isNumericId): string | undefined {
  let key = "";
  for (const r of p.release) {
    const k = keyNum(r);
    if (k === undefined) return undefined;
    key += k;
  }
  if (p.pre.length === 0) return `${key}~`;
  const ids: string[] = [];
  for (const id of p.pre) {
    if (isNum(id)) {
      const k = keyNum(id);
      if (k === undefined) return undefined;
      ids.push(`0${k}`);
    } else {
      ids.push(`1${id}`);
    }
  }
  return `${key}-${ids.join("!")}`;
}
