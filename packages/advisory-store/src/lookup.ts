import { DISTRO_ECOSYSTEMS, splitEcosystem, type Advisory, type AffectedRange } from "@lookout/advisories";
import { rowsOf, type Db } from "@lookout/db";
import type { Distro, Package } from "@lookout/domain";
import { distroScope, normalizePackageName, type AdvisoryLookup, type ScopeOptions } from "@lookout/matching";
import { sql } from "drizzle-orm";
import type { PackageKey } from "./ingest.js";
import { textArrayLiteral } from "./pg-array.js";
import { fromAffectedRow } from "./records.js";

/** Map key of a (base ecosystem, normalised name) pair. */
export const keyOf = (ecosystem: string, name: string): string => `${ecosystem}\u0000${name}`;

/**
 * The package keys an inventory can match on, as `match` looks them up: distro packages under the
 * image's distro ecosystem by binary and source name (a superset of what `match` asks: harmless),
 * language packages under their base ecosystem. Names are normalised per ecosystem.
 */
export function inventoryKeys(inventory: { distro?: Distro; packages: Package[] }, opts: ScopeOptions = {}): PackageKey[] {
  const scope = distroScope(inventory.distro, opts);
  const out = new Map<string, PackageKey>();
  const add = (ecosystem: string, name: string | undefined) => {
    if (!name) return;
    const n = normalizePackageName(ecosystem, name);
    out.set(keyOf(ecosystem, n), { ecosystem, name: n });
  };
  for (const p of inventory.packages) {
    const base = splitEcosystem(p.ecosystem).ecosystem;
    if (DISTRO_ECOSYSTEMS.has(base)) {
      if (!scope) continue; // match skips distro packages it cannot scope
      add(scope.ecosystem, p.name);
      add(scope.ecosystem, p.sourceName);
    } else {
      add(base, p.name);
    }
  }
  return [...out.values()];
}

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
 * Every stored advisory with an affected entry for one of `keys`, any release, withdrawn ones
 * included, in ONE query. Each advisory is rebuilt once (its `affected` holds the entries that
 * matched a requested key, in record order) and shared by every key it names.
 */
export async function lookupCandidates(db: Db, keys: readonly PackageKey[]): Promise<Map<string, Advisory[]>> {
  const out = new Map<string, Advisory[]>();
  if (keys.length === 0) return out;
  const ecos = textArrayLiteral(keys.map((k) => k.ecosystem));
  const names = textArrayLiteral(keys.map((k) => k.name));
  // No ORDER BY: sorting ~40k wide rows spilled to disk in the benchmark; entries are put in
  // record order here instead.
  const res = await db.execute(sql`
    select r.advisory_id, r.ecosystem, r.ecosystem_release, r.package_name, r.purl, r.ranges, r.versions, r.entry, r.entry_index, a.doc
    from affected_ranges r join advisories a on a.id = r.advisory_id
    where (r.ecosystem, r.package_name) in (select * from unnest(${ecos}::text[], ${names}::text[]))`);
  const byId = new Map<string, { doc: Row["doc"]; entries: Row[]; keys: Set<string> }>();
  for (const r of rowsOf<Row>(res)) {
    let e = byId.get(r.advisory_id);
    if (!e) {
      e = { doc: r.doc, entries: [], keys: new Set() };
      byId.set(r.advisory_id, e);
    }
    e.entries.push(r);
    e.keys.add(keyOf(r.ecosystem, r.package_name));
  }
  for (const id of [...byId.keys()].sort()) {
    const e = byId.get(id)!;
    const adv: Advisory = { ...e.doc, affected: e.entries.sort((a, b) => a.entry_index - b.entry_index).map(fromAffectedRow) };
    for (const k of e.keys) {
      const list = out.get(k);
      if (list) list.push(adv);
      else out.set(k, [adv]);
    }
  }
  return out;
}

/** Adapts a lookup result to `match`'s AdvisoryLookup. */
export function lookupFrom(candidates: Map<string, Advisory[]>): AdvisoryLookup {
  return (ecosystem, name) => candidates.get(keyOf(ecosystem, name)) ?? [];
}
