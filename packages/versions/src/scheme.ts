import { LookoutError } from "@lookout/domain";

/** Result of comparing two versions: a < b → -1, a = b → 0, a > b → 1. */
export type Ordering = -1 | 0 | 1;

/**
 * One ecosystem's version ordering, ported from that ecosystem's own tool.
 *
 * Contract:
 * - `valid(v)` never throws; it is true exactly when `compare` accepts `v`.
 * - `compare(a, b)` throws `LookoutError("LKT_ERR_VERSION_INVALID")` when either side is not
 *   valid; it never falls back to a string comparison.
 * - `parse(v)`, when present, returns the scheme's parsed form (throws like `compare`).
 * - `sortKey(v)`, when present, returns a string whose code point order (= UTF-8 byte order, SQL
 *   `COLLATE "C"`) equals the scheme's version order, or `undefined` when `v` cannot be encoded
 *   (invalid, or a number over 99 digits). Equal versions get equal keys. Every scheme but
 *   Maven and Packagist has one (see README.md).
 */
export interface VersionScheme {
  readonly name: string;
  parse?(v: string): unknown;
  compare(a: string, b: string): Ordering;
  valid(v: string): boolean;
  sortKey?(v: string): string | undefined;
}

/** Hostile-input cap: no ecosystem publishes versions anywhere near this long. */
export const MAX_VERSION_LENGTH = 1024;

/** Builds the typed error every scheme throws for input it cannot parse. */
export function invalidVersion(scheme: string, v: string, why: string): LookoutError {
  const shown = v.length > 80 ? `${v.slice(0, 80)}…` : v;
  return new LookoutError("LKT_ERR_VERSION_INVALID", `${scheme}: invalid version ${JSON.stringify(shown)}: ${why}`, {
    details: { scheme },
  });
}

/** Throws unless `v` is a string within the length cap. */
export function checkLength(scheme: string, v: string): void {
  if (typeof v !== "string") throw invalidVersion(scheme, String(v), "not a string");
  if (v.length === 0) throw invalidVersion(scheme, v, "empty");
  if (v.length > MAX_VERSION_LENGTH) throw invalidVersion(scheme, v, `longer than ${MAX_VERSION_LENGTH} characters`);
}

export function sign(n: number): Ordering {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Compares two strings of ASCII digits (no sign) numerically, any length. */
export function cmpDigits(a: string, b: string): Ordering {
  let i = 0;
  let j = 0;
  while (i < a.length - 1 && a.charCodeAt(i) === 48) i++;
  while (j < b.length - 1 && b.charCodeAt(j) === 48) j++;
  const la = a.length - i;
  const lb = b.length - j;
  if (la !== lb) return la < lb ? -1 : 1;
  for (; i < a.length; i++, j++) {
    const d = a.charCodeAt(i) - b.charCodeAt(j);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Byte-wise (strcmp-like) comparison of two strings of ASCII or code units. */
export function cmpStr(a: string, b: string): Ordering {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Wraps a parse function into `valid`. */
export function validBy(parse: (v: string) => unknown): (v: string) => boolean {
  return (v: string) => {
    try {
      parse(v);
      return true;
    } catch {
      return false;
    }
  };
}

/**
 * Memoises a parser for `compare`/`valid`: matching compares the same few versions (a package's
 * installed version, a feed's fixed versions) many times per scan. Bounded (cleared when full);
 * only successful parses are kept, and callers must treat parsed forms as read-only.
 */
export function memoParse<T>(parse: (v: string) => T, cap = 8192): (v: string) => T {
  const cache = new Map<string, T>();
  return (v) => {
    const hit = cache.get(v);
    if (hit !== undefined) return hit;
    const p = parse(v);
    if (cache.size >= cap) cache.clear();
    cache.set(v, p);
    return p;
  };
}
