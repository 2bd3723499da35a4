import type { AffectedPackage } from "@lookout/advisories";
import { schemeFor, type VersionScheme } from "@lookout/versions";

/**
 * Bumped whenever `upperKey` changes: it is hashed into every record's content hash, so the
 * next ingest rewrites rows whose stored bound was computed the old way.
 */
export const BOUNDS_VERSION = 1;

type Keyer = (v: string) => string | undefined;

function keyScheme(ecosystem: string): Keyer | undefined {
  let s: VersionScheme;
  try {
    s = schemeFor(ecosystem);
  } catch {
    return undefined; // no scheme: never pre-filtered
  }
  const sortKey = s.sortKey?.bind(s);
  if (!sortKey) return undefined;
  // Postgres text cannot hold NUL: such a key (none known) just disables the filter.
  return (v) => {
    const k = sortKey(v);
    return k === undefined || k.includes("\u0000") ? undefined : k;
  };
}

/**
 * An inclusive upper bound (a `@lookout/versions` sort key, compared with COLLATE "C") such that
 * no installed version whose key is greater can be affected by the entry, or null when none is
 * known for sure: a SEMVER range (compared as SemVer, not by the ecosystem's keys), a range open
 * at the top (its highest event is an introduced), an event or listed version without a key, or
 * an ecosystem without sort keys (Maven, Packagist). Conservative: a fixed version itself passes.
 */
export function upperKey(a: AffectedPackage): string | null {
  const sortKey = keyScheme(a.ecosystem);
  if (!sortKey) return null;
  let max: string | undefined;
  const bump = (k: string) => {
    if (max === undefined || k > max) max = k;
  };
  for (const v of a.versions) {
    const k = sortKey(v);
    if (k === undefined) return null;
    bump(k);
  }
  for (const r of a.ranges) {
    if (r.type === "GIT") continue; // never evaluated by the matcher
    if (r.type !== "ECOSYSTEM") return null;
    let intro: string | undefined;
    let end: string | undefined;
    for (const e of r.events) {
      if (e.kind === "introduced" && e.version === "0") {
        intro ??= "";
        continue;
      }
      const k = sortKey(e.version);
      if (k === undefined) return null;
      if (e.kind === "introduced") intro = intro === undefined || k > intro ? k : intro;
      else end = end === undefined || k > end ? k : end;
    }
    if (end === undefined) {
      if (intro !== undefined) return null; // introduced, never fixed: open-ended
      continue;
    }
    if (intro !== undefined && intro >= end) return null; // re-introduced at/after the last fix
    bump(end);
  }
  return max ?? null;
}

/**
 * The smallest sort key among `versions` of one package key (the versions `match` may evaluate),
 * or null when any of them has no key: the lookup then returns every entry for that key.
 */
export function lowestInstalledKey(ecosystem: string, versions: Iterable<string>): string | null {
  const sortKey = keyScheme(ecosystem);
  if (!sortKey) return null;
  let min: string | undefined;
  for (const v of versions) {
    const k = sortKey(v);
    if (k === undefined) return null;
    if (min === undefined || k < min) min = k;
  }
  return min ?? null;
}
