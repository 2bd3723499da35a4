import { LookoutError } from "@lookout/domain";

/**
 * SemVer 2.0 precedence for OSV `SEMVER` ranges, which the spec says compare as SemVer whatever
 * the ecosystem. Lenient where real data is: an optional leading "v" (Go), missing minor/patch
 * ("1.21" from Go stdlib), leading zeros. Build metadata is ignored.
 */

interface Parsed {
  release: [string, string, string];
  pre: string[];
}

const RE = /^v?(\d{1,64})(?:\.(\d{1,64}))?(?:\.(\d{1,64}))?(?:-([0-9A-Za-z.-]{1,256}))?(?:\+[0-9A-Za-z.-]{1,256})?$/;
const cache = new Map<string, Parsed | null>();

function strip(d: string): string {
  const s = d.replace(/^0+/, "");
  return s === "" ? "0" : s;
}

function parse(v: string): Parsed | null {
  const hit = cache.get(v);
  if (hit !== undefined) return hit;
  const m = typeof v === "string" && v.length <= 512 ? RE.exec(v) : null;
  let out: Parsed | null = null;
  if (m) {
    const pre = m[4] === undefined ? [] : m[4].split(".");
    if (!pre.some((p) => p === "")) out = { release: [strip(m[1] ?? "0"), strip(m[2] ?? "0"), strip(m[3] ?? "0")], pre };
  }
  if (cache.size > 50_000) cache.clear(); // bounded memo: versions repeat heavily within one scan
  cache.set(v, out);
  return out;
}

function cmpNum(a: string, b: string): -1 | 0 | 1 {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function cmpId(a: string, b: string): -1 | 0 | 1 {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return cmpNum(strip(a), strip(b));
  if (an !== bn) return an ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function semverValid(v: string): boolean {
  return parse(v) !== null;
}

/** Throws LKT_ERR_VERSION_INVALID for a version that is not SemVer-shaped. */
export function semverCompare(a: string, b: string): -1 | 0 | 1 {
  const pa = parse(a);
  const pb = parse(b);
  if (pa === null || pb === null) {
    const bad = pa === null ? a : b;
    throw new LookoutError("LKT_ERR_VERSION_INVALID", `semver: invalid version ${JSON.stringify(String(bad).slice(0, 80))}`);
  }
  for (let i = 0; i < 3; i++) {
    const r = cmpNum(pa.release[i] as string, pb.release[i] as string);
    if (r !== 0) return r;
  }
  if (pa.pre.length === 0 || pb.pre.length === 0) {
    return pa.pre.length === pb.pre.length ? 0 : pa.pre.length === 0 ? 1 : -1;
  }
  const n = Math.min(pa.pre.length, pb.pre.length);
  for (let i = 0; i < n; i++) {
    const r = cmpId(pa.pre[i] as string, pb.pre[i] as string);
    if (r !== 0) return r;
  }
  return pa.pre.length === pb.pre.length ? 0 : pa.pre.length < pb.pre.length ? -1 : 1;
}

export const semverScheme = { name: "semver-osv", compare: semverCompare, valid: semverValid } as const;
