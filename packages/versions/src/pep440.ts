import { checkLength, cmpDigits, cmpStr, invalidVersion, validBy, type Ordering, type VersionScheme } from "./scheme.js";

/** A parsed PEP 440 version, numbers as digit strings (Python ints are unbounded). */
export interface Pep440Version {
  epoch: string;
  release: string[];
  pre: { label: "a" | "b" | "rc"; n: string } | null;
  post: string | null;
  dev: string | null;
  /** Local segments, lowercased; `[]` when absent. */
  local: string[];
}

const NAME = "pep440";
// packaging.version.VERSION_PATTERN, anchored with surrounding whitespace, case-insensitive.
const RE = new RegExp(
  "^\\s*v?(?:(?:([0-9]+)!)?([0-9]+(?:\\.[0-9]+)*)" +
    "([-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?([0-9]+)?)?" +
    "((?:-([0-9]+))|(?:[-_.]?(post|rev|r)[-_.]?([0-9]+)?))?" +
    "([-_.]?(dev)[-_.]?([0-9]+)?)?)" +
    "(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\\s*$",
  "i",
);

function preLabel(l: string): "a" | "b" | "rc" {
  const s = l.toLowerCase();
  if (s === "a" || s === "alpha") return "a";
  if (s === "b" || s === "beta") return "b";
  return "rc";
}

/** packaging.version.Version(v): throws where packaging raises InvalidVersion. */
export function parsePep440(input: string): Pep440Version {
  checkLength(NAME, input);
  const m = RE.exec(input);
  if (!m) throw invalidVersion(NAME, input, "not a PEP 440 version");
  const post = m[7] ?? (m[6] !== undefined ? (m[9] ?? "0") : null);
  return {
    epoch: m[1] ?? "0",
    release: (m[2] as string).split("."),
    pre: m[4] !== undefined ? { label: preLabel(m[4]), n: m[5] ?? "0" } : null,
    post,
    dev: m[11] !== undefined ? (m[12] ?? "0") : null,
    local: m[13] !== undefined ? m[13].toLowerCase().split(/[-_.]/) : [],
  };
}

// Missing parts in _cmpkey are ±Infinity; model them as ranks before comparing values.
const NEG = -1;
const VAL = 0;
const POS = 1;

function cmpRanked(ra: number, va: string, rb: number, vb: string, cmp: (x: string, y: string) => Ordering): Ordering {
  if (ra !== rb) return ra < rb ? -1 : 1;
  return ra === VAL ? cmp(va, vb) : 0;
}

function cmpRelease(a: string[], b: string[]): Ordering {
  // _cmpkey strips trailing zeros, so 1.0 == 1.0.0; comparing with 0-padding is equivalent.
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const r = cmpDigits(a[i] ?? "0", b[i] ?? "0");
    if (r !== 0) return r;
  }
  return 0;
}

function preRank(v: Pep440Version): number {
  if (v.pre) return VAL;
  // A dev release of a final version (1.0.dev0) sorts before its pre-releases.
  return v.post === null && v.dev !== null ? NEG : POS;
}

function cmpPre(a: Pep440Version, b: Pep440Version): Ordering {
  const ra = preRank(a);
  const rb = preRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (ra !== VAL || !a.pre || !b.pre) return 0;
  return cmpStr(a.pre.label, b.pre.label) || cmpDigits(a.pre.n, b.pre.n);
}

// Local segments: numbers sort above strings; numbers by value, strings lexically; longer wins a tie.
function cmpLocal(a: string[], b: string[]): Ordering {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? -1 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    const xn = /^[0-9]+$/.test(x);
    const yn = /^[0-9]+$/.test(y);
    const r = xn && yn ? cmpDigits(x, y) : xn ? 1 : yn ? -1 : cmpStr(x, y);
    if (r !== 0) return r;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Orders like packaging.version.Version's `_cmpkey`. */
export function comparePep440Parsed(a: Pep440Version, b: Pep440Version): Ordering {
  return (
    cmpDigits(a.epoch, b.epoch) ||
    cmpRelease(a.release, b.release) ||
    cmpPre(a, b) ||
    cmpRanked(a.post === null ? NEG : VAL, a.post ?? "", b.post === null ? NEG : VAL, b.post ?? "", cmpDigits) ||
    cmpRanked(a.dev === null ? POS : VAL, a.dev ?? "", b.dev === null ? POS : VAL, b.dev ?? "", cmpDigits) ||
    cmpLocal(a.local, b.local)
  );
}

function keyNum(d: string): string {
  const s = d.replace(/^0+(?=.)/, "");
  if (s.length > 99) throw new RangeError("number too long for a sort key");
  return String(s.length).padStart(2, "0") + s;
}

/**
 * Order-preserving key (byte order = `_cmpkey` order): each field is self-delimiting — numbers
 * length-prefixed, the release list and string local segments end in "!" (below every digit
 * and letter), and a missing pre/post/dev/local part is a rank letter placed where _cmpkey puts
 * its ±Infinity.
 */
export function pep440SortKey(v: Pep440Version): string {
  const release = [...v.release];
  while (release.length > 0 && /^0+$/.test(release[release.length - 1] as string)) release.pop();
  let key = keyNum(v.epoch) + release.map(keyNum).join("") + "!";
  const pre = preRank(v);
  key += pre === NEG ? "A" : pre === POS ? "C" : `B${(v.pre?.label ?? "a")[0]}${keyNum(v.pre?.n ?? "0")}`;
  key += v.post === null ? "A" : `B${keyNum(v.post)}`;
  key += v.dev === null ? "B" : `A${keyNum(v.dev)}`;
  if (v.local.length === 0) return `${key}A`;
  return `${key}B${v.local.map((seg) => (/^[0-9]+$/.test(seg) ? `1${keyNum(seg)}` : `0${seg}!`)).join("")}`;
}

/** PyPI versions (PEP 440), as Python's `packaging.version.Version` orders them. */
export const pep440 = {
  name: NAME,
  parse: parsePep440,
  compare: (a: string, b: string): Ordering => comparePep440Parsed(parsePep440(a), parsePep440(b)),
  valid: validBy(parsePep440),
  sortKey: (v: string): string | undefined => {
    try {
      return pep440SortKey(parsePep440(v));
    } catch {
      return undefined;
    }
  },
} satisfies VersionScheme;
