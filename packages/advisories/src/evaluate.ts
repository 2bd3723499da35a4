import { LookoutError } from "@lookout/domain";
import { schemeFor as defaultSchemeFor } from "@lookout/versions";
import type { AffectedPackage, AffectedRange, RangeEvent } from "./model.js";
import { semverScheme } from "./semver.js";

/** The part of @lookout/versions' VersionScheme the evaluator needs. */
export interface Comparator {
  compare(a: string, b: string): -1 | 0 | 1;
  valid(v: string): boolean;
}

/** Counters the caller can sum over a scan / feed sync. All optional to read. */
export interface EvalStats {
  /** GIT ranges seen and ignored (we match package versions, not commits). */
  gitRangesIgnored: number;
  /** Ranges skipped because an event version is not valid for the range's scheme. */
  invalidRanges: number;
  /** Explicit `versions` entries skipped because the scheme rejects them. */
  invalidListedVersions: number;
}
export function newEvalStats(): EvalStats {
  return { gitRangesIgnored: 0, invalidRanges: 0, invalidListedVersions: 0 };
}

export interface EvalOptions {
  /** Defaults to @lookout/versions `schemeFor`. Must throw LKT_ERR_ECOSYSTEM_UNSUPPORTED for unknown ones. */
  schemeFor?: (ecosystem: string) => Comparator;
  stats?: EvalStats;
  /** One line per skipped range / listed version, for the caller's debug log. */
  onSkip?: (reason: string) => void;
}

export interface Evaluation {
  affected: boolean;
  /** `fixed` versions above the installed one that close the ranges it falls in (sorted, unique). */
  fixed: string[];
}

type Sorted = readonly RangeEvent[] | "invalid";
const isZero = (e: RangeEvent): boolean => e.kind === "introduced" && e.version === "0";
const isInf = (e: RangeEvent): boolean => e.kind === "limit" && e.version.includes("*");
/** Sorted events per range object and comparator: ranges are evaluated for many packages. */
const sortedCache = new WeakMap<AffectedRange, WeakMap<Comparator, Sorted>>();

function sortEvents(range: AffectedRange, cmp: Comparator): Sorted {
  // The common shape, [introduced "0", fixed X] or one event, is already in order: checked each
  // time (parses are memoised) rather than cached, as a cache entry per range costs GC more.
  const ev = range.events;
  if (ev.length <= 2 && ev.every((e) => e.kind !== "limit") && (ev.length < 2 || isZero(ev[0]!))) {
    return ev.some((e) => !isZero(e) && !cmp.valid(e.version)) ? "invalid" : ev;
  }
  let byCmp = sortedCache.get(range);
  const hit = byCmp?.get(cmp);
  if (hit !== undefined) return hit;
  let out: Sorted;
  if (range.events.some((e) => !isZero(e) && !isInf(e) && !cmp.valid(e.version))) {
    out = "invalid";
  } else {
    out = range.events
      .filter((e) => e.kind !== "limit")
      .map((e, i) => ({ e, i }))
      .sort((x, y) => {
        if (isZero(x.e) || isZero(y.e)) return isZero(x.e) === isZero(y.e) ? x.i - y.i : isZero(x.e) ? -1 : 1;
        return cmp.compare(x.e.version, y.e.version) || x.i - y.i;
      })
      .map((x) => x.e);
  }
  if (!byCmp) {
    byCmp = new WeakMap();
    sortedCache.set(range, byCmp);
  }
  byCmp.set(cmp, out);
  return out;
}

function beforeLimits(v: string, range: AffectedRange, cmp: Comparator): boolean {
  const limits = range.events.filter((e) => e.kind === "limit");
  if (limits.length === 0) return true;
  return limits.some((l) => l.version.includes("*") || cmp.compare(v, l.version) < 0);
}

/** OSV IncludedInRanges for one range, plus the fix that ends the interval `v` falls in. */
function evalRange(v: string, sorted: readonly RangeEvent[], cmp: Comparator): { affected: boolean; fixed?: string } {
  let affected = false;
  for (const e of sorted) {
    if (e.kind === "introduced" && (e.version === "0" || cmp.compare(v, e.version) >= 0)) affected = true;
    else if (e.kind === "fixed" && cmp.compare(v, e.version) >= 0) affected = false;
    else if (e.kind === "last_affected" && cmp.compare(v, e.version) > 0) affected = false;
  }
  if (!affected) return { affected };
  // The event that ends v's interval: the first fixed above v or last_affected at/above v.
  // A fix of a later interval (introduced again after a last_affected) is not a fix for v.
  const end = sorted.find((e) =>
    (e.kind === "fixed" && cmp.compare(v, e.version) < 0) || (e.kind === "last_affected" && cmp.compare(v, e.version) <= 0));
  return end?.kind === "fixed" ? { affected, fixed: end.version } : { affected };
}

function comparatorFor(type: AffectedRange["type"], ecosystemCmp: () => Comparator): Comparator {
  return type === "SEMVER" ? semverScheme : ecosystemCmp();
}

/**
 * OSV evaluation (schema "Evaluation" section) of one affected package at `version`: listed
 * versions, then every ECOSYSTEM/SEMVER range (events in any order, `introduced: "0"`, `fixed`,
 * `last_affected`, `limit`). SEMVER ranges always compare as SemVer 2; ECOSYSTEM ranges use the
 * ecosystem's scheme; GIT ranges are counted and ignored. A range with an event version the scheme
 * rejects is skipped (counted), never the whole advisory. Throws LKT_ERR_VERSION_INVALID when the
 * installed `version` is not valid for a scheme it must be compared with, and
 * LKT_ERR_ECOSYSTEM_UNSUPPORTED when an ECOSYSTEM range's ecosystem has no scheme.
 */
export function evaluate(affected: AffectedPackage, version: string, opts: EvalOptions = {}): Evaluation {
  const stats = opts.stats;
  let ecoCmp: Comparator | undefined;
  const ecosystemCmp = (): Comparator => (ecoCmp ??= (opts.schemeFor ?? defaultSchemeFor)(affected.ecosystem));
  const checked = new Set<Comparator>();
  const requireValid = (cmp: Comparator): void => {
    if (checked.has(cmp)) return;
    if (!cmp.valid(version)) {
      const shown = JSON.stringify(String(version).slice(0, 80));
      throw new LookoutError("LKT_ERR_VERSION_INVALID", `installed version ${shown} is not valid for ${affected.ecosystem} ${cmp === semverScheme ? "SEMVER" : "ECOSYSTEM"} ranges`);
    }
    checked.add(cmp);
  };

  let isAffected = false;
  const fixed = new Set<string>();
  for (const range of affected.ranges) {
    if (range.type === "GIT") {
      if (stats) stats.gitRangesIgnored++;
      continue;
    }
    const cmp = comparatorFor(range.type, ecosystemCmp);
    requireValid(cmp);
    const sorted = sortEvents(range, cmp);
    if (sorted === "invalid") {
      if (stats) stats.invalidRanges++;
      opts.onSkip?.(`${affected.ecosystem}/${affected.name}: ${range.type} range skipped: an event version is invalid for its scheme`);
      continue;
    }
    if (!beforeLimits(version, range, cmp)) continue;
    const r = evalRange(version, sorted, cmp);
    if (r.affected) {
      isAffected = true;
      if (r.fixed !== undefined) fixed.add(r.fixed);
    }
  }

  if (!isAffected && affected.versions.length > 0) isAffected = inVersionList(affected, version, ecosystemCmp, opts);
  const sortCmp = affected.ranges.some((r) => r.type === "ECOSYSTEM") ? ecosystemCmp() : semverScheme;
  return { affected: isAffected, fixed: [...fixed].sort((a, b) => safeCompare(sortCmp, a, b)) };
}

function safeCompare(cmp: Comparator, a: string, b: string): number {
  try {
    return cmp.compare(a, b);
  } catch {
    return a < b ? -1 : a > b ? 1 : 0;
  }
}

/** IncludedInVersions: equal under the ecosystem's scheme when it has one, else byte-equal. */
function inVersionList(affected: AffectedPackage, version: string, ecosystemCmp: () => Comparator, opts: EvalOptions): boolean {
  if (affected.versions.includes(version)) return true;
  let cmp: Comparator;
  try {
    cmp = ecosystemCmp();
  } catch {
    return false; // no scheme: byte equality above is all we can do
  }
  if (!cmp.valid(version)) return false;
  for (const listed of affected.versions) {
    if (!cmp.valid(listed)) {
      if (opts.stats) opts.stats.invalidListedVersions++;
      continue;
    }
    if (cmp.compare(version, listed) === 0) return true;
  }
  return false;
}

/** True when `version` is affected (see `evaluate`). */
export function isAffected(affected: AffectedPackage, version: string, opts: EvalOptions = {}): boolean {
  return evaluate(affected, version, opts).affected;
}

/** Fixed versions relevant to an installed `version` (for remediation advice); [] when none or not affected. */
export function fixedVersions(affected: AffectedPackage, version: string, opts: EvalOptions = {}): string[] {
  const r = evaluate(affected, version, opts);
  return r.affected ? r.fixed : [];
}
