import {
  DISTRO_ECOSYSTEMS, evaluate, normaliseSeverity, semverCompare, splitEcosystem,
  type Advisory, type AffectedPackage, type Comparator, type EvalOptions, type Evaluation, type NormalisedSeverity,
} from "@lookout/advisories";
import { isLookoutError, SEVERITY_RANK, type FixState, type Package } from "@lookout/domain";
import { schemeFor as defaultSchemeFor } from "@lookout/versions";
import type { DistroScope, ScopeOptions } from "./distro.js";
import { identityOf, pickPrimary } from "./ids.js";
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
  facts: AdvisoryFacts;
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

function entryApplies(aff: AffectedPackage, t: Target, names: ReadonlySet<string>): boolean {
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
// per-record work (alias derivation, primary id, CVSS parsing) for the duration of one `match`
// call, in one plain Map entry per record (WeakMaps of short-lived objects cost more in GC than
// they save). `match` empties it when it returns.
export interface AdvisoryFacts {
  ids: string[];
  multi: string[];
  /** Primary id and the other ids, sorted: the finding of a lone record needs nothing else. */
  primary: string;
  others: string[];
  /** Severity for the entry `sevEntry` (a lookup usually hands over one entry per record). */
  sevEntry?: AffectedPackage;
  sev?: NormalisedSeverity;
}
const factsCache = new Map<Advisory, AdvisoryFacts>();
const severityCache = new Map<AffectedPackage, NormalisedSeverity>();

/** Forget the per-call memos (called by `match` when it returns). */
export function clearMatchCaches(): void {
  factsCache.clear();
  severityCache.clear();
}

export function factsOf(adv: Advisory): AdvisoryFacts {
  let f = factsCache.get(adv);
  if (!f) {
    const { ids, multi } = identityOf(adv);
    const primary = pickPrimary(ids);
    const others = ids.filter((i) => i !== primary).sort();
    f = { ids, multi, primary, others };
    factsCache.set(adv, f);
  }
  return f;
}

function severityFor(adv: Advisory, facts: AdvisoryFacts, aff: AffectedPackage): NormalisedSeverity {
  if (facts.sevEntry === aff) return facts.sev!;
  if (facts.sevEntry === undefined) {
    facts.sevEntry = aff;
    return (facts.sev = normaliseSeverity(adv, aff));
  }
  let s = severityCache.get(aff);
  if (!s) {
    s = normaliseSeverity(adv, aff);
    severityCache.set(aff, s);
  }
  return s;
}

/** What `evaluateAdvisory` needs besides the target, built once per `match` call. */
export interface EvalContext {
  opts: MatchOptions;
  stats: MatchStats;
  /** MatchStats carries the EvalStats counters under the same names: evaluate adds to them directly. */
  evalOpts: EvalOptions;
}

export function evalContext(opts: MatchOptions, stats: MatchStats): EvalContext {
  const evalOpts: EvalOptions = { schemeFor: opts.schemeFor ?? defaultSchemeFor, stats };
  if (opts.onSkip) evalOpts.onSkip = opts.onSkip;
  return { opts, stats, evalOpts };
}

export function evaluateAdvisory(adv: Advisory, t: Target, names: ReadonlySet<string>, ctx: EvalContext): RawMatch | undefined {
  let fixed: string[] | undefined;
  let state: FixState | undefined;
  let hit: AffectedPackage | undefined;
  for (const aff of adv.affected) {
    if (!entryApplies(aff, t, names)) continue;
    let r: Evaluation;
    try {
      r = evaluate(aff, t.version, ctx.evalOpts);
    } catch (e) {
      if (isLookoutError(e, "LKT_ERR_VERSION_INVALID")) ctx.stats.invalidInstalledVersion++;
      else if (isLookoutError(e, "LKT_ERR_ECOSYSTEM_UNSUPPORTED")) ctx.stats.unsupportedEcosystem++;
      else throw e;
      ctx.opts.onSkip?.(`${adv.id} ${t.ecosystem}/${aff.name}@${t.version}: ${(e as Error).message}`);
      continue;
    }
    if (!r.affected) continue;
    hit ??= aff;
    if (fixed === undefined) fixed = r.fixed;
    else for (const f of r.fixed) if (!fixed.includes(f)) fixed.push(f);
    const s = stateOf(aff, r.fixed);
    if (state === undefined || STATE_RANK[s] > STATE_RANK[state]) state = s;
  }
  if (!hit) return undefined;
  const facts = factsOf(adv);
  return { adv, ids: facts.ids, multi: facts.multi, facts, fixed: fixed!, state: state ?? "unknown", severity: severityFor(adv, facts, hit) };
}

/** Candidate advisories for a target, deduplicated by id (several names may be looked up). */
export function candidatesFor(t: Target, names: ReadonlySet<string>, lookup: AdvisoryLookup): Advisory[] {
  if (names.size === 1) for (const n of names) return lookup(t.ecosystem, n); // one key: already one per id
  const byId = new Map<string, Advisory>();
  for (const n of names) {
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
