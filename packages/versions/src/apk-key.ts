import type { ApkToken } from "./apk.js";

// Token kinds as code points, in the order apk_version_compare decides by when two versions
// differ in token kind: a pre-release suffix first, then the *higher* kind is the older version.
const PRE_SUFFIX = "\u0001";
const END = "\u0002";
const MARK: Record<number, string> = {
  6: "\u0003", // revision
  5: "\u0004", // commit hash
  4: "\u0005", // suffix number
  3: "\u0006", // post-release suffix (pre-release ones use PRE_SUFFIX)
  2: "\u0007", // letter
  1: "\u0008", // digit after "."
  0: "\u0009", // initial digit
};
const STR_END = "\u0001"; // below "0", so a string sorts before its extensions

function num(d: string): string | undefined {
  const s = d.replace(/^0+/, "");
  // apk parses into a uint64; beyond 19 digits it wraps, which a key cannot mirror.
  return s.length > 19 ? undefined : String(s.length).padStart(2, "0") + s;
}

/**
 * Order-preserving key for a validated apk token list (see parseApk): code point order equals
 * apk_version_compare order, equal versions get equal keys. A digit after "." with a leading
 * zero compares as a string, and any such string sorts before every plain number, as in apk.
 */
export function apkSortKey(tokens: ApkToken[]): string | undefined {
  let key = "";
  for (const t of tokens) {
    let value: string | undefined;
    switch (t.token) {
      case 1:
        value = t.value.startsWith("0") ? `0${t.value}${STR_END}` : ((n) => (n === undefined ? undefined : `1${n}`))(num(t.value));
        break;
      case 2:
        value = t.value;
        break;
      case 3:
        value = String.fromCharCode(0x40 + t.suffix);
        break;
      case 5:
        value = t.value + STR_END;
        break;
      default:
        value = num(t.value);
    }
    if (value === undefined) return undefined;
    key += (t.token === 3 && t.suffix < 5 ? PRE_SUFFIX : MARK[t.token]) + value;
  }
  return key + END;
}
