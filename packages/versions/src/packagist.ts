import { checkLength, cmpDigits, invalidVersion, validBy, type Ordering, type VersionScheme } from "./scheme.js";

const NAME = "packagist";

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
const isAlnum = (c: string): boolean => /^[0-9A-Za-z]$/.test(c);

/**
 * Checks a Composer/Packagist version and returns what PHP's version_compare sees: trimmed, one
 * leading "v"/"V" dropped (Composer's normaliser does the same). Characters outside
 * [0-9A-Za-z._+-] are refused; "dev-branch" names are accepted and sort below numbered versions.
 */
export function parsePackagist(input: string): string {
  checkLength(NAME, input);
  let v = input.trim();
  if (v.startsWith("v") || v.startsWith("V")) v = v.slice(1);
  if (!/^[0-9A-Za-z][0-9A-Za-z._+-]*$/.test(v)) throw invalidVersion(NAME, input, "not a Composer version");
  return v;
}

/** php_canonicalize_version: "-", "_", "+" and other symbols become ".", and digit/letter runs are split by ".". */
export function phpCanonicalize(v: string): string {
  if (v === "") return v;
  const isdig = (x: string): boolean => isDigit(x);
  const isndig = (x: string): boolean => !isDigit(x) && x !== ".";
  let q = v[0] as string;
  let lp = q;
  for (let i = 1; i < v.length; i++) {
    const p = v[i] as string;
    const lq = q[q.length - 1];
    if (p === "-" || p === "_" || p === "+") {
      if (lq !== ".") q += ".";
    } else if ((isndig(lp) && isdig(p)) || (isdig(lp) && isndig(p))) {
      if (lq !== ".") q += ".";
      q += p;
    } else if (!isAlnum(p)) {
      if (lq !== ".") q += ".";
    } else {
      q += p;
    }
    lp = p;
  }
  return q;
}

// compare_special_version_forms: first prefix match wins; "#" stands for a number; unknown = -1.
const SPECIAL: [string, number][] = [
  ["dev", 0],
  ["alpha", 1],
  ["a", 1],
  ["beta", 2],
  ["b", 2],
  ["RC", 3],
  ["rc", 3],
  ["#", 4],
  ["pl", 5],
  ["p", 5],
];

function special(form1: string, form2: string): Ordering {
  const rank = (f: string): number => SPECIAL.find(([name]) => f.startsWith(name))?.[1] ?? -1;
  const d = rank(form1) - rank(form2);
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

/**
 * Port of php_version_compare (ext/standard/versioning.c). One deliberate difference: numeric
 * parts compare at any size, where PHP's strtol saturates at 2^63-1.
 */
export function phpVersionCompare(v1: string, v2: string): Ordering {
  if (v1 === "" || v2 === "") return v1 === v2 ? 0 : v1 !== "" ? 1 : -1;
  const s1 = v1[0] === "#" ? v1 : phpCanonicalize(v1);
  const s2 = v2[0] === "#" ? v2 : phpCanonicalize(v2);
  let p1 = 0;
  let p2 = 0;
  let n1: number | null = 0;
  let n2: number | null = 0;
  let compare: Ordering = 0;
  while (p1 < s1.length && p2 < s2.length && n1 !== null && n2 !== null) {
    const e1 = s1.indexOf(".", p1);
    const e2 = s2.indexOf(".", p2);
    n1 = e1 < 0 ? null : e1;
    n2 = e2 < 0 ? null : e2;
    const part1 = s1.slice(p1, n1 ?? s1.length);
    const part2 = s2.slice(p2, n2 ?? s2.length);
    if (isDigit(part1[0]) && isDigit(part2[0])) compare = cmpDigits(part1.match(/^[0-9]+/)?.[0] ?? "0", part2.match(/^[0-9]+/)?.[0] ?? "0");
    else if (!isDigit(part1[0]) && !isDigit(part2[0])) compare = special(part1, part2);
    else compare = isDigit(part1[0]) ? special("#N#", part2) : special(part1, "#N#");
    if (compare !== 0) break;
    if (n1 !== null) p1 = n1 + 1;
    if (n2 !== null) p2 = n2 + 1;
  }
  if (compare === 0) {
    if (n1 !== null) compare = isDigit(s1[p1]) ? 1 : phpVersionCompare(s1.slice(p1), "#N#");
    else if (n2 !== null) compare = isDigit(s2[p2]) ? -1 : phpVersionCompare("#N#", s2.slice(p2));
  }
  return compare;
}

/** Packagist (Composer) versions, ordered by PHP's version_compare as OSV evaluates them. */
export const packagist = {
  name: NAME,
  parse: parsePackagist,
  compare: (a: string, b: string): Ordering => phpVersionCompare(parsePackagist(a), parsePackagist(b)),
  valid: validBy(parsePackagist),
} satisfies VersionScheme;
