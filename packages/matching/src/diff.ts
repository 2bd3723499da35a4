import type { Finding } from "./model.js";

/**
 * Identity of a finding across scans: (ecosystem, packageName, installedVersion, path) plus the
 * vulnerability, where two findings denote the same vulnerability when their id sets
 * ({advisoryId} ∪ aliases) overlap. Matching on overlap rather than on advisoryId keeps a finding
 * "still" when its primary id changes (a GHSA-only finding gains its CVE alias in a later feed).
 * An upgrade of the package (new installedVersion) yields resolved + new, not still.
 */
export function findingPackageKey(f: Finding): string {
  return [f.ecosystem, f.packageName, f.installedVersion, f.path].join("\u0000");
}

/** A stable string key (package key + primary id) for storage; `diffFindings` does not need it. */
export function findingKey(f: Finding): string {
  return `${findingPackageKey(f)}\u0000${f.advisoryId}`;
}

export interface FindingsDiff {
  new: Finding[];
  /** Current versions of findings present in both (so updated severity/fixes are visible). */
  still: Finding[];
  resolved: Finding[];
}

export function diffFindings(previous: readonly Finding[], current: readonly Finding[]): FindingsDiff {
  const byPkg = new Map<string, { f: Finding; ids: Set<string>; used: boolean }[]>();
  for (const f of previous) {
    const k = findingPackageKey(f);
    const list = byPkg.get(k) ?? [];
    list.push({ f, ids: new Set([f.advisoryId, ...f.aliases]), used: false });
    byPkg.set(k, list);
  }
  const out: FindingsDiff = { new: [], still: [], resolved: [] };
  for (const f of current) {
    const ids = [f.advisoryId, ...f.aliases];
    const prev = byPkg.get(findingPackageKey(f))?.find((p) => !p.used && ids.some((i) => p.ids.has(i)));
    if (prev) {
      prev.used = true;
      out.still.push(f);
    } else {
      out.new.push(f);
    }
  }
  for (const list of byPkg.values()) for (const p of list) if (!p.used) out.resolved.push(p.f);
  return out;
}
