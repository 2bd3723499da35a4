import { apkSortKey } from "./apk-key.js";
import { checkLength, cmpDigits, cmpStr, invalidVersion, validBy, memoParse, type Ordering, type VersionScheme } from "./scheme.js";

// Token kinds in apk-tools' order (src/version.c); the order itself is part of the comparison.
const T_INITIAL_DIGIT = 0;
const T_DIGIT = 1;
const T_LETTER = 2;
const T_SUFFIX = 3;
const T_SUFFIX_NO = 4;
const T_COMMIT_HASH = 5;
const T_REVISION_NO = 6;
const T_END = 7;

// Suffix ranks; NONE is the pivot between pre-release and post-release suffixes.
const SUFFIXES: Record<string, number> = { alpha: 1, beta: 2, pre: 3, rc: 4, cvs: 6, svn: 7, git: 8, hg: 9, p: 10 };
const SUFFIX_NONE = 5;

/** One token of an Alpine version; `value` is the raw text apk compares as a string when needed. */
export interface ApkToken {
  token: number;
  value: string;
  suffix: number;
}

const NAME = "apk";
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";

function run(s: string, from: number, ok: (c: string) => boolean): number {
  let i = from;
  while (i < s.length && ok(s[i] as string)) i++;
  return i;
}

/**
 * Tokenises `number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}` exactly like apk-tools'
 * token_first/token_next, and throws where apk_version_validate would say "invalid".
 */
export function parseApk(input: string): ApkToken[] {
  checkLength(NAME, input);
  const s = input;
  const out: ApkToken[] = [];
  const bad = (why: string): never => {
    throw invalidVersion(NAME, input, why);
  };
  let i = run(s, 0, isDigit);
  if (i === 0) bad("must start with a digit");
  out.push({ token: T_INITIAL_DIGIT, value: s.slice(0, i), suffix: 0 });
  let prev = T_INITIAL_DIGIT;
  while (i < s.length) {
    const c = s[i] as string;
    let tok: ApkToken;
    if (c >= "a" && c <= "z") {
      if (prev > T_DIGIT) bad("letter in wrong place");
      tok = { token: T_LETTER, value: c, suffix: 0 };
      i++;
    } else if (c === "." || isDigit(c)) {
      if (c === ".") {
        if (prev > T_DIGIT) bad("'.' in wrong place");
        i++;
      }
      let t: number;
      if (prev === T_INITIAL_DIGIT || prev === T_DIGIT) t = T_DIGIT;
      else if (prev === T_SUFFIX) t = T_SUFFIX_NO;
      else return bad("digit in wrong place");
      const end = run(s, i, isDigit);
      if (end === i) bad("missing number");
      tok = { token: t, value: s.slice(i, end), suffix: 0 };
      i = end;
    } else if (c === "_") {
      if (prev > T_SUFFIX_NO) bad("suffix in wrong place");
      const end = run(s, i + 1, (x) => x >= "a" && x <= "z");
      const value = s.slice(i + 1, end);
      const suffix = SUFFIXES[value];
      if (suffix === undefined) return bad(`unknown suffix "_${value}"`);
      tok = { token: T_SUFFIX, value, suffix };
      i = end;
    } else if (c === "~") {
      if (prev >= T_COMMIT_HASH) bad("'~' in wrong place");
      const end = run(s, i + 1, (x) => isDigit(x) || (x >= "a" && x <= "f"));
      if (end === i + 1) bad("empty commit hash");
      tok = { token: T_COMMIT_HASH, value: s.slice(i + 1, end), suffix: 0 };
      i = end;
    } else if (c === "-") {
      if (prev >= T_REVISION_NO || s[i + 1] !== "r") bad("'-' must start the -r revision, once");
      const end = run(s, i + 2, isDigit);
      if (end === i + 2) bad("missing revision number");
      tok = { token: T_REVISION_NO, value: s.slice(i + 2, end), suffix: 0 };
      i = end;
    } else {
      return bad(`unexpected character ${JSON.stringify(c)}`);
    }
    out.push(tok);
    prev = tok.token;
  }
  return out;
}

// apk parses numbers into a uint64 (apk_blob_pull_uint), which wraps on overflow.
function cmpUint64(a: string, b: string): Ordering {
  if (a.length <= 19 && b.length <= 19) return cmpDigits(a, b);
  const x = BigInt.asUintN(64, BigInt(a));
  const y = BigInt.asUintN(64, BigInt(b));
  return x < y ? -1 : x > y ? 1 : 0;
}

function tokenCmp(a: ApkToken, b: ApkToken): Ordering {
  switch (a.token) {
    case T_DIGIT:
      // A leading zero switches to a plain string comparison, as in Gentoo's spec.
      if (a.value[0] === "0" || b.value[0] === "0") return cmpStr(a.value, b.value);
      return cmpUint64(a.value, b.value);
    case T_INITIAL_DIGIT:
    case T_SUFFIX_NO:
    case T_REVISION_NO:
      return cmpUint64(a.value, b.value);
    case T_LETTER:
      return cmpStr(a.value, b.value);
    case T_SUFFIX:
      return a.suffix < b.suffix ? -1 : a.suffix > b.suffix ? 1 : 0;
    default:
      return cmpStr(a.value, b.value);
  }
}

const END: ApkToken = { token: T_END, value: "", suffix: 0 };

/** Port of apk_version_compare (non-fuzzy) over validated token lists. */
export function compareApkParsed(a: ApkToken[], b: ApkToken[]): Ordering {
  let i = 0;
  let ta = a[0] ?? END;
  let tb = b[0] ?? END;
  while (ta.token === tb.token && ta.token < T_END) {
    const r = tokenCmp(ta, tb);
    if (r !== 0) return r;
    i++;
    ta = a[i] ?? END;
    tb = b[i] ?? END;
  }
  if (ta.token === tb.token) return 0;
  // The longer version is newer, unless what it continues with is a pre-release suffix.
  if (ta.token === T_SUFFIX && ta.suffix < SUFFIX_NONE) return -1;
  if (tb.token === T_SUFFIX && tb.suffix < SUFFIX_NONE) return 1;
  return ta.token > tb.token ? -1 : 1;
}

/** Alpine/Wolfi/Chainguard package versions, as apk-tools orders them. */
const cachedApk = memoParse(parseApk);

export const apk = {
  name: NAME,
  parse: parseApk,
  compare: (a: string, b: string): Ordering => compareApkParsed(cachedApk(a), cachedApk(b)),
  valid: validBy(cachedApk),
  sortKey: (v: string): string | undefined => {
    try {
      return apkSortKey(parseApk(v));
    } catch {
      return undefined;
    }
  },
} satisfies VersionScheme;
