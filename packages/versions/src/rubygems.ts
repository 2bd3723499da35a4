import { rubygemsSortKey } from "./rubygems-key.js";
import { checkLength, cmpDigits, cmpStr, invalidVersion, validBy, type Ordering, type VersionScheme } from "./scheme.js";

const NAME = "rubygems";
// Gem::Version::ANCHORED_VERSION_PATTERN (Ruby's \s is [ \t\r\n\f\v]); the empty version is refused here.
const RE = /^[ \t\r\n\f\v]*([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)[ \t\r\n\f\v]*$/;

/** A segment: a number (digit string) or a letter run. */
export type GemSegment = { num: string } | { str: string };

/**
 * Gem::Version.new(v).canonical_segments: "-" becomes ".pre.", the string is scanned into number
 * and letter runs, and trailing zeros are dropped from the numeric prefix and from the rest.
 */
export function parseRubyGems(input: string): GemSegment[] {
  checkLength(NAME, input);
  const m = RE.exec(input);
  if (!m) throw invalidVersion(NAME, input, "malformed version number string");
  const v = (m[1] as string).replaceAll("-", ".pre.");
  const segs: GemSegment[] = (v.match(/[0-9]+|[a-z]+/gi) ?? []).map((s) => (/^[0-9]+$/.test(s) ? { num: s } : { str: s }));
  const firstStr = segs.findIndex((s) => "str" in s);
  const numeric = firstStr < 0 ? segs : segs.slice(0, firstStr);
  const rest = firstStr < 0 ? [] : segs.slice(firstStr);
  return [...dropTrailingZeros(numeric), ...dropTrailingZeros(rest)];
}

function dropTrailingZeros(s: GemSegment[]): GemSegment[] {
  let n = s.length;
  while (n > 0) {
    const last = s[n - 1] as GemSegment;
    if (!("num" in last) || !/^0+$/.test(last.num)) break;
    n--;
  }
  return s.slice(0, n);
}

/** Gem::Version#<=>: segment by segment, missing = 0, letters sort before numbers. */
export function compareRubyGemsParsed(a: GemSegment[], b: GemSegment[]): Ordering {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const l = a[i] ?? { num: "0" };
    const r = b[i] ?? { num: "0" };
    if ("str" in l && "num" in r) return -1;
    if ("num" in l && "str" in r) return 1;
    const c = "num" in l && "num" in r ? cmpDigits(l.num, r.num) : cmpStr((l as { str: string }).str, (r as { str: string }).str);
    if (c !== 0) return c;
  }
  return 0;
}

/** RubyGems versions, as Gem::Version orders them ("1.0.a" is a prerelease of "1.0"). */
export const rubygems = {
  name: NAME,
  parse: parseRubyGems,
  compare: (a: string, b: string): Ordering => compareRubyGemsParsed(parseRubyGems(a), parseRubyGems(b)),
  valid: validBy(parseRubyGems),
  sortKey: (v: string): string | undefined => {
    try {
      return rubygemsSortKey(parseRubyGems(v));
    } catch {
      return undefined;
    }
  },
} satisfies VersionScheme;
