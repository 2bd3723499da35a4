import type { DpkgVersion } from "./dpkg.js";

// Code points chosen so that code point (and UTF-8 byte) order equals dpkg's order():
// "~" < end-of-part < end-of-string < letters < bytes >= 0x80 < other symbols.
const TILDE = "\u0001";
const PART_END = "\u0002";
const STRING_END = "\u0003";

function bytes(s: string): string {
  return /^[\x00-\x7f]*$/.test(s) ? s : Buffer.from(s, "utf8").toString("latin1");
}

function mapChar(c: number): string {
  if (c === 126) return TILDE;
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c >= 128) return String.fromCharCode(c);
  return String.fromCharCode(0x100 + c); // dpkg: other symbols sort after letters (c + 256)
}

/**
 * Key of one verrevcmp operand: a list of rounds, each "non-digit part, PART_END, length-prefixed
 * number" (the first round is always present, so "" keys like "0"), then STRING_END, which sits
 * where an endless run of empty rounds would: above "~", below any other character.
 */
function operandKey(s: string): string | undefined {
  const b = bytes(s);
  let key = "";
  let i = 0;
  do {
    while (i < b.length && !(b.charCodeAt(i) >= 48 && b.charCodeAt(i) <= 57)) key += mapChar(b.charCodeAt(i++));
    const start = i;
    while (i < b.length && b.charCodeAt(i) >= 48 && b.charCodeAt(i) <= 57) i++;
    const digits = b.slice(start, i).replace(/^0+/, "") || "0";
    if (digits.length > 99) return undefined;
    key += PART_END + String(digits.length).padStart(2, "0") + digits;
  } while (i < b.length);
  return key + STRING_END;
}

/**
 * Order-preserving key for a parsed Debian version: code point order (SQL `COLLATE "C"` on
 * UTF-8) equals `dpkg --compare-versions` order, and equal versions get equal keys.
 * Undefined when a number has more than 99 digits.
 */
export function dpkgSortKey(v: DpkgVersion): string | undefined {
  const up = operandKey(v.upstream);
  const rev = operandKey(v.revision);
  if (up === undefined || rev === undefined) return undefined;
  const e = String(v.epoch);
  return String(e.length).padStart(2, "0") + e + up + rev;
}
