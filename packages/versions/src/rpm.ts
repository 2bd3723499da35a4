import { rpmSortKey } from "./rpm-key.js";
import { checkLength, invalidVersion, validBy, memoParse, type Ordering, type VersionScheme } from "./scheme.js";

/** A parsed rpm EVR. `release` is null when the string has no `-`. */
export interface RpmVersion {
  epoch: string;
  version: string;
  release: string | null;
}

const NAME = "rpm";

/**
 * Splits `[epoch:]version[-release]` like rpm's parseEVR (rpmio/rpmver.c): the epoch is a leading
 * run of digits ended by ':' (empty → "0"; absent → "0", as labelCompare does), the release is
 * what follows the last '-'. Refuses only what rpm cannot carry in a header: empty strings,
 * whitespace/control characters, an empty version.
 */
export function parseRpm(input: string): RpmVersion {
  checkLength(NAME, input);
  if (/[\x00-\x20\x7f]/.test(input)) throw invalidVersion(NAME, input, "contains whitespace or control characters");
  let i = 0;
  while (i < input.length && isDigit(input.charCodeAt(i))) i++;
  let epoch = "0";
  let rest = input;
  if (input[i] === ":") {
    epoch = i === 0 ? "0" : input.slice(0, i);
    rest = input.slice(i + 1);
  }
  let release: string | null = null;
  const dash = rest.lastIndexOf("-");
  if (dash >= 0) {
    release = rest.slice(dash + 1);
    rest = rest.slice(0, dash);
  }
  if (rest === "") throw invalidVersion(NAME, input, "version is empty");
  return { epoch, version: rest, release };
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isAlnum = (c: number): boolean => isDigit(c) || isAlpha(c);

function bytes(s: string): string {
  return /^[\x00-\x7f]*$/.test(s) ? s : Buffer.from(s, "utf8").toString("latin1");
}

/** Port of rpmvercmp (rpmio/rpmvercmp.c), including `~` (sorts before all) and `^` (after the base). */
export function rpmvercmp(aIn: string, bIn: string): Ordering {
  if (aIn === bIn) return 0;
  const a = bytes(aIn);
  const b = bytes(bIn);
  let one = 0;
  let two = 0;
  const at = (s: string, k: number): number => (k < s.length ? s.charCodeAt(k) : 0);
  while (one < a.length || two < b.length) {
    while (one < a.length && !isAlnum(at(a, one)) && at(a, one) !== 126 && at(a, one) !== 94) one++;
    while (two < b.length && !isAlnum(at(b, two)) && at(b, two) !== 126 && at(b, two) !== 94) two++;
    const c1 = at(a, one);
    const c2 = at(b, two);
    if (c1 === 126 || c2 === 126) {
      if (c1 !== 126) return 1;
      if (c2 !== 126) return -1;
      one++;
      two++;
      continue;
    }
    if (c1 === 94 || c2 === 94) {
      if (c1 === 0) return -1;
      if (c2 === 0) return 1;
      if (c1 !== 94) return 1;
      if (c2 !== 94) return -1;
      one++;
      two++;
      continue;
    }
    if (!(c1 && c2)) break;
    let s1 = one;
    let s2 = two;
    const isnum = isDigit(c1);
    const cls = isnum ? isDigit : isAlpha;
    while (s1 < a.length && cls(at(a, s1))) s1++;
    while (s2 < b.length && cls(at(b, s2))) s2++;
    // Numeric segments are newer than alpha ones.
    if (s2 === two) return isnum ? 1 : -1;
    let seg1 = a.slice(one, s1);
    let seg2 = b.slice(two, s2);
    if (isnum) {
      seg1 = seg1.replace(/^0+/, "");
      seg2 = seg2.replace(/^0+/, "");
      if (seg1.length !== seg2.length) return seg1.length > seg2.length ? 1 : -1;
    }
    if (seg1 !== seg2) return seg1 < seg2 ? -1 : 1;
    one = s1;
    two = s2;
  }
  if (one >= a.length && two >= b.length) return 0;
  return one >= a.length ? -1 : 1;
}

/**
 * rpm's labelCompare on parsed EVRs: epoch, version, then release, where a missing release sorts
 * before any present one (python-rpm `labelCompare((e,v,None), (e,v,r))` is -1).
 */
export function compareRpmParsed(a: RpmVersion, b: RpmVersion): Ordering {
  const e = rpmvercmp(a.epoch, b.epoch);
  if (e !== 0) return e;
  const v = rpmvercmp(a.version, b.version);
  if (v !== 0) return v;
  if (a.release === null || b.release === null) {
    return a.release === b.release ? 0 : a.release === null ? -1 : 1;
  }
  return rpmvercmp(a.release, b.release);
}

/** RPM EVR strings (`[epoch:]version[-release]`) as rpm's labelCompare orders them. */
const cachedRpm = memoParse(parseRpm);

export const rpm = {
  name: NAME,
  parse: parseRpm,
  compare: (a: string, b: string): Ordering => compareRpmParsed(cachedRpm(a), cachedRpm(b)),
  valid: validBy(cachedRpm),
  sortKey: (v: string): string | undefined => {
    try {
      return rpmSortKey(parseRpm(v));
    } catch {
      return undefined;
    }
  },
} satisfies VersionScheme;
