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
  if (ev.length <= 2 && (ev.length < 2 || isZero(ev[0]!))) {
    let plain = true;
    for (const e of ev) if (e.kind === "limit") plain = false;
    if (plain) {
      for (const e of ev) if (!isZero(e) && !cmp.valid(e.version)) return "invalid";
      return ev;
    }
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

/** True when no `limit` event caps the range below `v` (no limits at all: true). */
function beforeLimits(v: string, range: AffectedRange, cmp: Comparator): boolean {
  let limited = false;
  for (const l of range.events) {
    if (l.kind !== "limit") continue;
    if (l.version.includes("*") || cmp.compare(v, l.version) < 0) return true;
    limited = true;
  }
  return !limited;
}

/**
 * OSV IncludedInRanges for one range: undefined when `v` is not in it, else the fix that ends the
 * interval `v` falls in (null: none). Plain values, no object: this runs per (package, entry).
 */
function evalRange(v: string, sorted: readonly RangeEvent[], cmp: Comparator): string | null | undefined {
  let affected = false;
  for (const e of sorted) {
    if (e.kind === "introduced" && (e.version === "0" || cmp.compare(v, e.version) >= 0)) affected = true;
    else if (e.kind === "fixed" && cmp.compare(v, e.version) >= 0) affected = false;
    else if (e.kind === "last_affected" && cmp.compare(v, e.version) > 0) affected = false;
  }
  if (!affected) return undefined;
  // The event that ends v's interval: the first fixed above v or last_affected at/above v.
  // A fix of a later interval (introduced again after a last_affected) is not a fix for v.
  for (const e of sorted) {
    if (e.kind === "fixed" && cmp.compare(v, e.version) < 0) return e.version;
    if (e.kind === "last_affected" && cmp.compare(v, e.version) <= 0) return null;
  }
  return null;
}

function invalidInstalled(affected: AffectedPackage, version: string, cmp: Comparator): LookoutError {
  const shown = JSON.stringify(String(version).slice(0, 80));
  return new LookoutError("LKT_ERR_VERSION_INVALID", `installed version ${shown} is not valid for ${affected.ecosystem} ${cmp === semverScheme ? "SEMVER" : "ECOSYSTEM"} ranges`);
}

/**
 * OSV evaluation (schema "Evaluation" section) of one affected package at `version`: listed
 * versions, then every ECOSYSTEM/SEMVER range (events in any order, `introduced: "0"`, `fixed`,
 * `last_affected`, `limit`). SEMVER ranges always compare as SemVer 2; ECOSYSTEM ranges use the
 * ecosystem's scheme; GIT ranges are counted and ignored. A range with an event version the scheme
 * rejects is skipped (counted), never the whole advisory. Throws LKT_ERR_VERSION_INVALID when the
 * installed `version` is not valid for a scheme it must be compared with, and
 * LKT_ERR_ECOSYSTEM_UNSUPPORTED when an ECOSYSTEM range's ecosystem has no scheme.
 * Written without closures or Sets: a scan evaluates thousands of entries and this was GC-bound.
 */
export function evaluate(affected: AffectedPackage, version: string, opts: EvalOptions = {}): Evaluation {
  const stats = opts.stats;
  const schemeFor = opts.schemeFor ?? defaultSchemeFor;
  let ecoCmp: Comparator | undefined;
  let ecoChecked = false;
  let semverChecked = false;
  let hasEcosystemRange = false;
  let isAffected = false;
  let fixed: string[] | undefined;
  for (const range of affected.ranges) {
    if (range.type === "GIT") {
      if (stats) stats.gitRangesIgnored++;
      continue;
    }
    let cmp: Comparator;
    if (range.type === "SEMVER") {
      cmp = semverScheme;
      if (!semverChecked) {
        if (!cmp.valid(version)) throw invalidInstalled(affected, version, cmp);
        semverChecked = true;
      }
    } else {
      if (range.type === "ECOSYSTEM") hasEcosystemRange = true;
      cmp = ecoCmp ??= schemeFor(affected.ecosystem);
      if (!ecoChecked) {
        if (!cmp.valid(version)) throw invalidInstalled(affected, version, cmp);
        ecoChecked = true;
      }
    }
    const sorted = sortEvents(range, cmp);
    if (sorted === "invalid") {
      if (stats) stats.invalidRanges++;
      opts.onSkip?.(`${affected.ecosystem}/${affected.name}: ${range.type} range skipped: an event version is invalid for its scheme`);
      continue;
    }
    if (!beforeLimits(version, range, cmp)) continue;
    const fix = evalRange(version, sorted, cmp);
    if (fix === undefined) continue;
    isAffected = true;
    if (fix !== null) {
      if (!fixed) fixed = [fix];
      else if (!fixed.includes(fix)) fixed.push(fix);
    }
  }

  if (!isAffected && affected.versions.length > 0) {
    isAffected = inVersionList(affected, version, () => (ecoCmp ??= schemeFor(affected.ecosystem)), opts);
  }
  if (!fixed) return { affected: isAffected, fixed: [] };
  if (fixed.length > 1) {
    const sortCmp = hasEcosystemRange ? (ecoCmp ??= schemeFor(affected.ecosystem)) : semverScheme;
    fixed.sort((a, b) => safeCompare(sortCmp, a, b));
  }
  return { affected: isAffected, fixed };
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
