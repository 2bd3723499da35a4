import type { RpmVersion } from "./rpm.js";

// rpmvercmp's token order mapped onto code points: "~" < end < "^" < alpha < numeric.
const TILDE = "\u0001";
const END = "\u0002";
const CARET = "\u0003";
const ALPHA = "\u0004";
const NUMERIC = "\u0005";
const ALPHA_END = "\u0001"; // below every letter, so "a" < "ab"

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/**
 * Key of one rpmvercmp operand: its tokens (separators dropped, as rpmvercmp only splits on
 * them), then END. Numbers are length-prefixed after stripping zeros. Non-ASCII characters are
 * separators for rpm, so they vanish here too. Undefined for numbers over 99 digits.
 */
function operandKey(s: string): string | undefined {
  let key = "";
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 126 || c === 94) {
      key += c === 126 ? TILDE : CARET;
      i++;
    } else if (isDigit(c) || isAlpha(c)) {
      const cls = isDigit(c) ? isDigit : isAlpha;
      const start = i;
      while (i < s.length && cls(s.charCodeAt(i))) i++;
      const seg = s.slice(start, i);
      if (cls === isAlpha) {
        key += ALPHA + seg + ALPHA_END;
      } else {
        const n = seg.replace(/^0+/, "");
        if (n.length > 99) return undefined;
        key += NUMERIC + String(n.length).padStart(2, "0") + n;
      }
    } else {
      i++;
    }
  }
  return key + END;
}

/**
 * Order-preserving key for a parsed EVR: code point order equals rpm's labelCompare order
 * (epoch, version, then release with a missing release first); equal EVRs get equal keys.
 */
export function rpmSortKey(v: RpmVersion): string | undefined {
  const epoch = v.epoch.replace(/^0+/, "");
  const ver = operandKey(v.version);
  const rel = v.release === null ? "" : operandKey(v.release);
  if (epoch.length > 99 || ver === undefined || rel === undefined) return undefined;
  return String(epoch.length).padStart(2, "0") + epoch + ver + (v.release === null ? "\u0001" : `\u0002${rel}`);
}
