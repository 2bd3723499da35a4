import { dpkgSortKey } from "./dpkg-key.js";
import { checkLength, invalidVersion, sign, validBy, memoParse, type Ordering, type VersionScheme } from "./scheme.js";

/** A parsed Debian version: `[epoch:]upstream[-revision]`. */
export interface DpkgVersion {
  epoch: number;
  upstream: string;
  revision: string;
  /** Set when dpkg would print a "bad syntax" warning but still compare (e.g. "version number does not start with digit"). */
  warning?: string;
}

const NAME = "dpkg";
const INT_MAX = 2147483647;

/**
 * Port of dpkg's parseversion (lib/dpkg/parsehelp.c). Errors throw; dpkg's warnings (bad characters,
 * upstream not starting with a digit) are kept on `warning` and the version still compares,
 * exactly like `dpkg --compare-versions`.
 */
export function parseDpkg(input: string): DpkgVersion {
  checkLength(NAME, input);
  const s = input.replace(/^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g, "");
  if (s === "") throw invalidVersion(NAME, input, "version string is empty");
  if (/[ \t\n\r\f\v]/.test(s)) throw invalidVersion(NAME, input, "version string has embedded spaces");
  let rest = s;
  let epoch = 0;
  const colon = s.indexOf(":");
  if (colon >= 0) {
    // strtol semantics: optional sign, then digits, and it must stop exactly at the colon.
    const m = /^[+-]?\d+/.exec(s);
    if (!m) throw invalidVersion(NAME, input, "epoch in version is empty");
    if (m[0].length !== colon) throw invalidVersion(NAME, input, "epoch in version is not number");
    const n = Number(m[0]);
    if (n < 0) throw invalidVersion(NAME, input, "epoch in version is negative");
    if (n > INT_MAX) throw invalidVersion(NAME, input, "epoch in version is too big");
    rest = s.slice(colon + 1);
    if (rest === "") throw invalidVersion(NAME, input, "nothing after colon in version number");
    epoch = n;
  }
  let upstream = rest;
  let revision = "";
  const hyphen = rest.lastIndexOf("-");
  if (hyphen >= 0) {
    upstream = rest.slice(0, hyphen);
    revision = rest.slice(hyphen + 1);
    if (revision === "") throw invalidVersion(NAME, input, "revision number is empty");
  }
  if (upstream === "") throw invalidVersion(NAME, input, "version number is empty");
  const v: DpkgVersion = { epoch, upstream, revision };
  if (!/^[0-9]/.test(upstream)) v.warning = "version number does not start with digit";
  else if (!/^[0-9A-Za-z.+~:-]*$/.test(upstream)) v.warning = "invalid character in version number";
  else if (!/^[0-9A-Za-z.+~]*$/.test(revision)) v.warning = "invalid character in revision number";
  return v;
}

// dpkg works on C bytes; non-ASCII strings are compared on their UTF-8 bytes.
function bytes(s: string): string {
  return /^[\x00-\x7f]*$/.test(s) ? s : Buffer.from(s, "utf8").toString("latin1");
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** dpkg's order(): digits and end sort as 0, `~` lowest, letters by ASCII, others after letters. */
function order(c: number): number {
  if (Number.isNaN(c) || isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c === 126) return -1;
  // C `char` is signed: bytes >= 0x80 are negative, so c + 256 lands on the byte value itself.
  return c >= 128 ? c : c + 256;
}

/** Port of dpkg's verrevcmp (lib/dpkg/version.c). */
export function verrevcmp(aIn: string, bIn: string): Ordering {
  const a = bytes(aIn);
  const b = bytes(bIn);
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const ac = order(a.charCodeAt(i));
      const bc = order(b.charCodeAt(j));
      if (ac !== bc) return sign(ac - bc);
      i++;
      j++;
    }
    while (a.charCodeAt(i) === 48) i++;
    while (b.charCodeAt(j) === 48) j++;
    while (isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a.charCodeAt(i))) return 1;
    if (isDigit(b.charCodeAt(j))) return -1;
    if (firstDiff !== 0) return sign(firstDiff);
  }
  return 0;
}

/** dpkg_version_compare: epoch, then upstream, then revision (absent revision = ""). */
export function compareDpkgParsed(a: DpkgVersion, b: DpkgVersion): Ordering {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  return verrevcmp(a.upstream, b.upstream) || verrevcmp(a.revision, b.revision);
}

/** Debian/Ubuntu package versions, as `dpkg --compare-versions` orders them. */
const cachedDpkg = memoParse(parseDpkg);

export const dpkg = {
  name: NAME,
  parse: parseDpkg,
  compare: (a: string, b: string): Ordering => compareDpkgParsed(cachedDpkg(a), cachedDpkg(b)),
  valid: validBy(cachedDpkg),
  sortKey: (v: string): string | undefined => {
    try {
      return dpkgSortKey(parseDpkg(v));
    } catch {
      return undefined;
    }
  },
} satisfies VersionScheme;
