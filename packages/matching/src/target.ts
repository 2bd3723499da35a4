import {
  DISTRO_ECOSYSTEMS, evaluate, newEvalStats, normaliseSeverity, semverCompare, splitEcosystem,
  type Advisory, type AffectedPackage, type Comparator, type NormalisedSeverity,
} from "@lookout/advisories";
import { isLookoutError, SEVERITY_RANK, type FixState, type Package } from "@lookout/domain";
import { schemeFor as defaultSchemeFor } from "@lookout/versions";
import type { DistroScope, ScopeOptions } from "./distro.js";
import { identityOf } from "./ids.js";
import type { MatchStats } from "./model.js";
import { normalizePackageName } from "./names.js";

export interface MatchOptions extends ScopeOptions {
  /** Version schemes; defaults to @lookout/versions `schemeFor`. */
  schemeFor?: (ecosystem: string) => Comparator;
  /** Counters, summed into if given. */
  stats?: MatchStats;
  /** One line per skipped (package, advisory) pair, for the caller's debug log / scan unknowns. */
  onSkip?: (reason: string) => void;
}

/**
 * Candidate advisories for (base OSV ecosystem, normalised package name). The caller's prefilter
 * must return every advisory with an affected entry for that pair, any release; `match` does the
 * release scoping, withdrawal and version checks itself.
 */
export type AdvisoryLookup = (ecosystem: string, name: string) => Advisory[];

export interface Target {
  ecosystem: string;
  /** Release suffix of a language package's ecosystem ("Packagist:https://packages.drupal.org/8"). */
  release?: string;
  names: string[];
  version: string;
  scope?: DistroScope;
}

export interface RawMatch {
  adv: Advisory;
  ids: string[];
  multi: string[];
  fixed: string[];
  state: FixState;
  severity: NormalisedSeverity;
}

const SOURCE_NAMED = new Set(["Debian", "Ubuntu", "Alpine"]);
const FAMILY: Record<string, string> = { Debian: "deb", Ubuntu: "deb", Alpine: "apk", Wolfi: "apk", Chainguard: "apk" };
/** Package-format family of a distro ecosystem: deb, apk, or rpm for the rest. */
const familyOf = (eco: string): string => FAMILY[eco] ?? "rpm";
const APK_BOTH = new Set(["Wolfi", "Chainguard"]);

/** rpm EVR as OSV writes it: "epoch:version-release", epoch omitted when 0/absent. */
export function rpmEvr(p: Package): string {
  let v = p.version;
  if (p.release && !v.endsWith(`-${p.release}`)) v = `${v}-${p.release}`;
  if (p.epoch !== undefined && p.epoch !== 0 && !/^\d+:/.test(v)) v = `${p.epoch}:${v}`;
  return v;
}

export function targetOf(pkg: Package, scope: DistroScope | undefined, stats: MatchStats): Target | undefined {
  const { ecosystem: base, release } = splitEcosystem(pkg.ecosystem);
  if (!DISTRO_ECOSYSTEMS.has(base)) {
    const t: Target = { ecosystem: base, names: [pkg.name], version: pkg.version };
    if (release !== undefined) t.release = release;
    return t;
  }
  if (!scope) {
    stats.noDistro++;
    return undefined; // an OS package in an image whose distro we cannot scope: no distro advisory applies
  }
  const eco = scope.ecosystem;
  if (familyOf(base) !== familyOf(eco)) {
    stats.noDistro++;
    return undefined; // e.g. an apk database inside a Debian image: no advisory of this distro names it
  }
  if (SOURCE_NAMED.has(eco)) {
    return { ecosystem: eco, names: [pkg.sourceName || pkg.name], version: pkg.sourceVersion || pkg.version, scope };
  }
  if (APK_BOTH.has(eco)) {
    const names = pkg.sourceName && pkg.sourceName !== pkg.name ? [pkg.name, pkg.sourceName] : [pkg.name];
    return { ecosystem: eco, names, version: pkg.version, scope };
  }
  return { ecosystem: eco, names: [pkg.name], version: rpmEvr(pkg), scope }; // rpm advisories name binary rpms
}

function entryApplies(aff: AffectedPackage, t: Target, names: Set<string>): boolean {
  if (aff.ecosystem !== t.ecosystem || !names.has(normalizePackageName(t.ecosystem, aff.name))) return false;
  if (t.scope) return t.scope.releaseMatches(aff.ecosystemRelease);
  return aff.ecosystemRelease === undefined || aff.ecosystemRelease === t.release;
}

const TRIAGE: Record<string, FixState> = {
  unimportant: "unimportant",
  "end-of-life": "end-of-life",
  will_not_fix: "will-not-fix",
  "will-not-fix": "will-not-fix",
  wont_fix: "will-not-fix",
  "wont-fix": "will-not-fix",
  ignored: "will-not-fix",
};

function stateOf(aff: AffectedPackage, fixed: string[]): FixState {
  for (const w of [aff.status, aff.urgency]) {
    const s = w === undefined ? undefined : TRIAGE[w.trim().toLowerCase()];
    if (s) return s;
  }
  return fixed.length > 0 ? "fixed" : "not-fixed";
}

/** When merged records disagree, a distro triage decision outranks "fixed", which outranks "not-fixed". */
const STATE_RANK: Record<FixState, number> = {
  "end-of-life": 6, "will-not-fix": 5, unimportant: 4, fixed: 3, "not-fixed": 2, unknown: 1,
};

// Advisories are immutable once parsed and shared across every package of a scan: memoise the
// per-record work (CVSS parsing, alias derivation) for the duration of one `match` call. Plain
// Maps emptied by `match` (WeakMaps of short-lived objects cost more in GC than they save).
const severityCache = new Map<AffectedPackage, NormalisedSeverity>();
const identityCache = new Map<Advisory, { ids: string[]; multi: string[] }>();

/** Forget the per-call memos (called by `match` when it returns). */
export function clearMatchCaches(): void {
  severityCache.clear();
  identityCache.clear();
}

function cachedSeverity(adv: Advisory, aff: AffectedPackage): NormalisedSeverity {
  let s = severityCache.get(aff);
  if (!s) {
    s = normaliseSeverity(adv, aff);
    severityCache.set(aff, s);
  }
  return s;
}

function cachedIdentity(adv: Advisory): { ids: string[]; multi: string[] } {
  let i = identityCache.get(adv);
  if (!i) {
    i = identityOf(adv);
    identityCache.set(adv, i);
  }
  return i;
}

export function evaluateAdvisory(adv: Advisory, t: Target, names: Set<string>, opts: MatchOptions, stats: MatchStats): RawMatch | undefined {
  let affected = false;
  const fixed = new Set<string>();
  let state: FixState | undefined;
  let hit: AffectedPackage | undefined;
  const evalStats = newEvalStats();
  for (const aff of adv.affected) {
    if (!entryApplies(aff, t, names)) continue;
    try {
      const r = evaluate(aff, t.version, { schemeFor: opts.schemeFor ?? defaultSchemeFor, stats: evalStats, onSkip: opts.onSkip });
      if (!r.affected) continue;
      affected = true;
      hit ??= aff;
      r.fixed.forEach((f) => fixed.add(f));
      const s = stateOf(aff, r.fixed);
      if (state === undefined || STATE_RANK[s] > STATE_RANK[state]) state = s;
    } catch (e) {
      if (isLookoutError(e, "LKT_ERR_VERSION_INVALID")) stats.invalidInstalledVersion++;
      else if (isLookoutError(e, "LKT_ERR_ECOSYSTEM_UNSUPPORTED")) stats.unsupportedEcosystem++;
      else throw e;
      opts.onSkip?.(`${adv.id} ${t.ecosystem}/${aff.name}@${t.version}: ${(e as Error).message}`);
    }
  }
  stats.invalidRanges += evalStats.invalidRanges;
  stats.gitRangesIgnored += evalStats.gitRangesIgnored;
  stats.invalidListedVersions += evalStats.invalidListedVersions;
  if (!affected || !hit) return undefined;
  const { ids, multi } = cachedIdentity(adv);
  return { adv, ids, multi, fixed: [...fixed], state: state ?? "unknown", severity: cachedSeverity(adv, hit) };
}

/** Candidate advisories for a target, deduplicated by id (several names may be looked up). */
export function candidatesFor(t: Target, lookup: AdvisoryLookup): Advisory[] {
  const byId = new Map<string, Advisory>();
  for (const n of new Set(t.names.map((x) => normalizePackageName(t.ecosystem, x)))) {
    for (const a of lookup(t.ecosystem, n)) if (!byId.has(a.id)) byId.set(a.id, a);
  }
  return [...byId.values()];
}

export function fixedSorter(ecosystem: string, opts: MatchOptions): (a: string, b: string) => number {
  let cmp: Comparator | undefined;
  try {
    cmp = (opts.schemeFor ?? defaultSchemeFor)(ecosystem);
  } catch {
    cmp = undefined;
  }
  return (a, b) => {
    for (const c of [cmp?.compare, semverCompare]) {
      if (!c) continue;
      try {
        return c(a, b);
      } catch {
        /* try the next order */
      }
    }
    return a < b ? -1 : a > b ? 1 : 0;
  };
}

export function maxSeverity(list: NormalisedSeverity[]): NormalisedSeverity {
  return list.reduce((best, s) => (SEVERITY_RANK[s.level] > SEVERITY_RANK[best.level] ? s : best));
}

export function mergeState(states: FixState[]): FixState {
  return states.reduce((best, s) => (STATE_RANK[s] > STATE_RANK[best] ? s : best), "unknown" as FixState);
}
