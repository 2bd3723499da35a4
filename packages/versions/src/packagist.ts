import { checkLength, cmpDigits, invalidVersion, validBy, type Ordering, type VersionScheme } from "./scheme.js";

const NAME = "packagist";

/**
 * Splits a Composer/PHP version into version_compare parts: trims, drops a leading "v"/"V",
 * turns "-", "_" and "+" into ".", and puts a "." between digit and non-digit runs
 * (php_canonicalize_version). "dev-branch" names canonicalise to "dev.branch", which sorts
 * below every numbered version, as in OSV.
 */
export function parsePackagist(input: string): string[] {
  checkLength(NAME, input);
  let v = input.trim();
  if (v.startsWith("v") || v.startsWith("V")) v = v.slice(1);
  if (!/^[0-9A-Za-z][0-9A-Za-z.+_#-]*$/.test(v)) throw invalidVersion(NAME, input, "not a Composer version");
  v = v
    .replace(/[-_+]/g, ".")
    .replace(/([^\d.])(\d)/g, "$1.$2")
    .replace(/(\d)([^\d.])/g, "$1.$2");
  return v.split(".");
}

// php_version_compare's special forms; "#" stands for a number. Unknown words rank -1, below "dev".
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

function special(form: string): number {
  for (const [name, order] of SPECIAL) if (form.startsWith(name)) return order;
  return -1;
}

function cmpSpecial(a: string, b: string): Ordering {
  const d = special(a) - special(b);
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

const isNum = (s: string): boolean => /^[0-9]+$/.test(s);

/** PHP version_compare over canonical parts (numbers compared at any size). */
export function comparePackagistParsed(a: string[], b: string[]): Ordering {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    const r = isNum(x) && isNum(y) ? cmpDigits(x, y) : isNum(x) ? cmpSpecial("#", y) : isNum(y) ? cmpSpecial(x, "#") : cmpSpecial(x, y);
    if (r !== 0) return r;
  }
  // The longer version wins if it goes on with a number; otherwise its next word is weighed against a number.
  if (a.length > b.length) return isNum(a[n] as string) ? 1 : comparePackagistParsed(a.slice(n), ["#"]);
  if (b.length > a.length) return isNum(b[n] as string) ? -1 : comparePackagistParsed(["#"], b.slice(n));
  return 0;
}

/** Packagist (Composer) versions, ordered by PHP's version_compare as OSV evaluates them. */
export const packagist = {
  name: NAME,
  parse: parsePackagist,
  compare: (a: string, b: string): Ordering => comparePackagistParsed(parsePackagist(a), parsePackagist(b)),
  valid: validBy(parsePackagist),
} satisfies VersionScheme;
