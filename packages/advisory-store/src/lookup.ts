import { DISTRO_ECOSYSTEMS, splitEcosystem, type Advisory, type AffectedRange } from "@lookout/advisories";
import { rowsOf, type Db } from "@lookout/db";
import type { Distro, Package } from "@lookout/domain";
import { distroScope, normalizePackageName, rpmEvr, type AdvisoryLookup, type ScopeOptions } from "@lookout/matching";
import { lowestInstalledKey } from "./bounds.js";
import { sql } from "drizzle-orm";
import type { PackageKey } from "./ingest.js";
import { nullableTextArrayLiteral, textArrayLiteral } from "./pg-array.js";
import { fromAffectedRow } from "./records.js";

/** Map key of a (base ecosystem, normalised name) pair. */
export const keyOf = (ecosystem: string, name: string): string => `${ecosystem}\u0000${name}`;

/** A lookup key with the lowest installed version's sort key (null: no version pre-filter). */
export interface LookupKey extends PackageKey {
  versionKey?: string | null;
}

/**
 * The package keys an inventory can match on, as `match` looks them up: distro packages under the
 * image's distro ecosystem by binary and source name (a superset of what `match` asks: harmless),
 * language packages under their base ecosystem. Names are normalised per ecosystem. Each key
 * carries the lowest sort key over every version `match` may evaluate for it (binary, source,
 * epoch:version-release), so the lookup can skip entries fixed below all of them.
 */
export function inventoryKeys(inventory: { distro?: Distro; packages: Package[] }, opts: ScopeOptions = {}): LookupKey[] {
  const scope = distroScope(inventory.distro, opts);
  const acc = new Map<string, { ecosystem: string; name: string; versions: Set<string> }>();
  const add = (ecosystem: string, name: string | undefined, versions: string[]) => {
    if (!name) return;
    const n = normalizePackageName(ecosystem, name);
    const k = keyOf(ecosystem, n);
    const e = acc.get(k) ?? { ecosystem, name: n, versions: new Set<string>() };
    for (const v of versions) e.versions.add(v);
    acc.set(k, e);
  };
  for (const p of inventory.packages) {
    const base = splitEcosystem(p.ecosystem).ecosystem;
    if (DISTRO_ECOSYSTEMS.has(base)) {
      if (!scope) continue; // match skips distro packages it cannot scope
      const versions = [p.version, p.sourceVersion, evr(p)].filter((v): v is string => !!v);
      add(scope.ecosystem, p.name, versions);
      add(scope.ecosystem, p.sourceName, versions);
    } else {
      add(base, p.name, [p.version]);
    }
  }
  return [...acc.values()].map((e) => ({ ecosystem: e.ecosystem, name: e.name, versionKey: lowestInstalledKey(e.ecosystem, e.versions) }));
}

/** rpm's epoch:version-release as the matcher compares it, for packages that carry a release or epoch. */
const evr = (p: Package): string | undefined => (p.release === undefined && p.epoch === undefined ? undefined : rpmEvr(p));

interface Row {
  advisory_id: string;
  ecosystem: string;
  ecosystem_release: string | null;
  package_name: string;
  purl: string | null;
  ranges: AffectedRange[];
  versions: string[] | null;
  entry: { name: string } | null;
  entry_index: number;
  doc: Omit<Advisory, "affected">;
}

/**
 * Every stored advisory with an affected entry for one of `keys`, any release, in ONE query.
 * With a key's `versionKey`, entries whose stored upper bound (`max_key`, see bounds.ts) is below
 * it are left out inside the index (affected_lookup_idx): they cannot affect any installed version
 * of that key, so `match` finds the same findings (its candidate counters see fewer records;
 * a withdrawn advisory, which never matches, is returned only when its bound lets it through). Each advisory is rebuilt once (its `affected` holds the entries that
 * matched a requested key, in record order) and shared by every key it names. Matching reads
 * neither `details` nor `references` (the bulk of a DSA or GHSA record): they are not fetched and
 * come back empty.
 */
export async function lookupCandidates(db: Db, keys: readonly LookupKey[]): Promise<Map<string, Advisory[]>> {
  const out = new Map<string, Advisory[]>();
  if (keys.length === 0) return out;
  // One row per key (a repeated key would repeat its entries); null version key wins (no filter).
  const uniq = new Map<string, LookupKey>();
  for (const k of keys) {
    const id = keyOf(k.ecosystem, k.name);
    const prev = uniq.get(id);
    const vk = k.versionKey ?? null;
    if (!prev) uniq.set(id, { ecosystem: k.ecosystem, name: k.name, versionKey: vk });
    else if (prev.versionKey != null && (vk === null || vk < prev.versionKey)) prev.versionKey = vk;
  }
  // Probed in key order: consecutive probes then walk neighbouring index pages.
  const list = [...uniq.values()].sort((a, b) => (a.ecosystem < b.ecosystem ? -1 : a.ecosystem > b.ecosystem ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const ecos = textArrayLiteral(list.map((k) => k.ecosystem));
  const names = textArrayLiteral(list.map((k) => k.name));
  const vkeys = nullableTextArrayLiteral(list.map((k) => k.versionKey ?? null));
  // No ORDER BY: sorting ~40k wide rows spilled to disk in the benchmark; entries are put in
  // record order here instead.
  const res = await db.execute(sql`
    with k (eco, name, vkey) as (select * from unnest(${ecos}::text[], ${names}::text[], ${vkeys}::text[]))
    select r.advisory_id, r.ecosystem, r.ecosystem_release, r.package_name, r.purl, r.ranges, r.versions, r.entry, r.entry_index, a.doc - '{details,references}'::text[] as doc
    from k join affected_ranges r on r.ecosystem = k.eco and r.package_name = k.name
      and (coalesce(r.max_key, chr(1114111)) collate "C") >= coalesce(k.vkey, '') collate "C"
    join advisories a on a.id = r.advisory_id`);
  // Per advisory: its parsed document (taken over: pg parsed it for this call alone), its rows and
  // the keys it answers (nearly always one: a Set only when there are more).
  const byId = new Map<string, { doc: Row["doc"]; entries: Row[]; key: string; more?: Set<string> }>();
  for (const r of rowsOf<Row>(res)) {
    const k = keyOf(r.ecosystem, r.package_name);
    const e = byId.get(r.advisory_id);
    if (!e) {
      byId.set(r.advisory_id, { doc: r.doc, entries: [r], key: k });
      continue;
    }
    e.entries.push(r);
    if (k !== e.key) (e.more ??= new Set()).add(k);
  }
  for (const id of [...byId.keys()].sort()) {
    const e = byId.get(id)!;
    if (e.entries.length > 1) e.entries.sort((a, b) => a.entry_index - b.entry_index);
    const adv = e.doc as Advisory;
    adv.references = [];
    adv.affected = e.entries.map(fromAffectedRow);
    push(out, e.key, adv);
    if (e.more) for (const k of e.more) if (k !== e.key) push(out, k, adv);
  }
  return out;
}

function push(out: Map<string, Advisory[]>, key: string, adv: Advisory): void {
  const list = out.get(key);
  if (list) list.push(adv);
  else out.set(key, [adv]);
}

/** Adapts a lookup result to `match`'s AdvisoryLookup. */
export function lookupFrom(candidates: Map<string, Advisory[]>): AdvisoryLookup {
  return (ecosystem, name) => candidates.get(keyOf(ecosystem, name)) ?? [];
}
