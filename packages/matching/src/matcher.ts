import type { Distro, Package } from "@lookout/domain";
import { distroScope } from "./distro.js";
import { IdGroups, pickPrimary } from "./ids.js";
import { newMatchStats, type Finding } from "./model.js";
import { normalizePackageName } from "./names.js";
import {
  candidatesFor, clearMatchCaches, evalContext, evaluateAdvisory, fixedSorter, maxSeverity, mergeState, targetOf,
  type AdvisoryLookup, type MatchOptions, type RawMatch, type Target,
} from "./target.js";

/**
 * Match an inventory against advisories. Pure and synchronous: all I/O is in `advisoriesByKey`
 * (the caller's prefilter, see AdvisoryLookup).
 *
 * - Distro packages are looked up by the name the distro's advisories use (Debian/Ubuntu/Alpine:
 *   the source package and its version; rpm: the binary name and epoch:version-release) and only
 *   advisories for the image's own release apply (see distroScope). An image with no detectable
 *   distro matches no distro advisory. Language packages match their ecosystem regardless of distro.
 * - Withdrawn advisories never match.
 * - Records of one vulnerability are merged per package: one Finding per (package, alias group),
 *   with the max severity and the union of fixed versions.
 * Problems (invalid installed version, unsupported ecosystem, invalid ranges) are counted in
 * `opts.stats` and reported through `opts.onSkip`, never thrown.
 */
export function match(
  inventory: { distro?: Distro; packages: Package[] },
  advisoriesByKey: AdvisoryLookup,
  opts: MatchOptions = {},
): Finding[] {
  try {
    return matchAll(inventory, advisoriesByKey, opts);
  } finally {
    clearMatchCaches();
  }
}

function matchAll(inventory: { distro?: Distro; packages: Package[] }, advisoriesByKey: AdvisoryLookup, opts: MatchOptions): Finding[] {
  const stats = opts.stats ?? newMatchStats();
  const scope = distroScope(inventory.distro, opts);
  const ctx = evalContext(opts, stats);
  const findings: Finding[] = [];
  for (const pkg of inventory.packages) {
    stats.packages++;
    const t = targetOf(pkg, scope, stats);
    if (!t) continue;
    const names = new Set<string>();
    for (const n of t.names) names.add(normalizePackageName(t.ecosystem, n));
    const raws: RawMatch[] = [];
    for (const adv of candidatesFor(t, names, advisoriesByKey)) {
      stats.candidates++;
      if (adv.withdrawn) {
        stats.withdrawnSkipped++;
        continue;
      }
      const r = evaluateAdvisory(adv, t, names, ctx);
      if (r) raws.push(r);
    }
    if (raws.length === 1 && raws[0]!.multi.length === 0) findings.push(loneFinding(pkg, t, raws[0]!, opts));
    else if (raws.length > 0) for (const f of toFindings(pkg, t, raws, opts)) findings.push(f);
  }
  stats.findings += findings.length;
  return findings;
}

/** Groups one package's matches by alias closure (one Finding per group). */
function toFindings(pkg: Package, t: Target, raws: RawMatch[], opts: MatchOptions): Finding[] {
  if (disjoint(raws)) {
    // No two records share an id: every record is its own group (the usual case).
    const out = raws.map((r) => loneFinding(pkg, t, r, opts));
    return out.sort((a, b) => (a.advisoryId < b.advisoryId ? -1 : a.advisoryId > b.advisoryId ? 1 : 0));
  }
  raws.sort((a, b) => (a.adv.id < b.adv.id ? -1 : a.adv.id > b.adv.id ? 1 : 0));
  const groups = new IdGroups();
  const singles = raws.filter((r) => r.multi.length === 0);
  for (const r of singles) groups.union(r.ids);
  const buckets = new Map<string, { members: RawMatch[] }>();
  for (const r of singles) {
    const root = groups.find(r.ids[0] as string);
    const b = buckets.get(root) ?? { members: [] };
    b.members.push(r);
    buckets.set(root, b);
  }
  // A record fixing several CVEs (a USN, a multi-CVE DLA) joins the group of each CVE it names,
  // creating the group when no single record matched that CVE.
  for (const r of raws.filter((x) => x.multi.length > 0)) {
    for (const cve of r.multi) {
      const root = groups.find(cve);
      const b = buckets.get(root) ?? { members: [] };
      b.members.push({ ...r, ids: [r.adv.id, cve] });
      buckets.set(root, b);
    }
  }
  const out: Finding[] = [];
  for (const { members } of buckets.values()) out.push(findingOf(pkg, t, members, opts));
  return out.sort((a, b) => (a.advisoryId < b.advisoryId ? -1 : a.advisoryId > b.advisoryId ? 1 : 0));
}

/**
 * The Finding of a package matched by one record naming one vulnerability: the common case, built
 * from the record's memoised ids (what `findingOf` computes for one member, without its Sets).
 */
function loneFinding(pkg: Package, t: Target, m: RawMatch, opts: MatchOptions): Finding {
  const f: Finding = {
    advisoryId: m.facts.primary,
    aliases: m.facts.others.slice(),
    sources: [m.adv.id],
    packageName: pkg.name,
    packagePurl: pkg.purl,
    installedVersion: pkg.version,
    fixedVersions: m.fixed.length > 1 ? m.fixed.sort(fixedSorter(t.ecosystem, opts)) : m.fixed, // unique already (evaluateAdvisory)
    state: m.state,
    severity: m.severity,
    path: pkg.path,
    ecosystem: pkg.ecosystem,
  };
  return finishFinding(f, pkg, t, m);
}

function finishFinding(f: Finding, pkg: Package, t: Target, lead: RawMatch): Finding {
  const matchedName = t.names[0];
  if (matchedName !== undefined && matchedName !== pkg.name) f.matchedName = matchedName;
  if (t.version !== pkg.version) f.matchedVersion = t.version;
  if (pkg.layerDigest) f.layerDigest = pkg.layerDigest;
  if (lead.adv.summary) f.summary = lead.adv.summary;
  return f;
}

/** True when no record names several CVEs and no two records share an id. */
function disjoint(raws: RawMatch[]): boolean {
  const seen = new Set<string>();
  for (const r of raws) {
    if (r.multi.length > 0) return false;
    for (const id of r.ids) {
      if (seen.has(id)) return false;
      seen.add(id);
    }
  }
  return true;
}

/** One Finding from the matches of one alias group. */
function findingOf(pkg: Package, t: Target, members: RawMatch[], opts: MatchOptions): Finding {
  const ids = new Set(members.flatMap((m) => m.ids));
  const primary = pickPrimary(ids);
  ids.delete(primary);
  const lead = members.find((m) => m.adv.id === primary) ?? (members[0] as RawMatch);
  const fixed = [...new Set(members.flatMap((m) => m.fixed))];
  const f: Finding = {
    advisoryId: primary,
    aliases: [...ids].sort(),
    sources: members.length === 1 ? [lead.adv.id] : [...new Set(members.map((m) => m.adv.id))].sort(),
    packageName: pkg.name,
    packagePurl: pkg.purl,
    installedVersion: pkg.version,
    fixedVersions: fixed.length > 1 ? fixed.sort(fixedSorter(t.ecosystem, opts)) : fixed,
    state: mergeState(members.map((m) => m.state)),
    severity: maxSeverity(members.map((m) => m.severity)),
    path: pkg.path,
    ecosystem: pkg.ecosystem,
  };
  return finishFinding(f, pkg, t, lead);
}
