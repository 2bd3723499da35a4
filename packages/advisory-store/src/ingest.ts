import type { Advisory } from "@lookout/advisories";
import { rowsOf, schema, type Db } from "@lookout/db";
import { inArray, sql } from "drizzle-orm";
import { textArrayLiteral } from "./pg-array.js";
import { toRows, type AdvisoryRow, type AffectedRow } from "./records.js";

/** What a reader yields (`readOsvDir`, `readOsvZip` items fit). */
export type IngestSourceItem = { ok: Advisory; entry?: string } | { error: string; entry?: string };

export interface IngestOptions {
  /** Stored in advisories.source and hashed with the record ("osv:Debian", "local-import"). */
  sourceName: string;
  /** Records per transaction (default 500). */
  batchSize?: number;
  /** Called once per rejected item (bad JSON, invalid OSV, too large). */
  onReject?: (entry: string | undefined, error: string) => void;
  /** Called after each committed batch with the running totals. */
  onBatch?: (totals: IngestResult) => void;
  signal?: AbortSignal;
}

export interface PackageKey {
  /** Base OSV ecosystem ("Debian"). */
  ecosystem: string;
  /** `normalizePackageName(ecosystem, name)`. */
  name: string;
}

/**
 * Counts are disjoint: a record written (new or changed) that is withdrawn counts only as
 * `withdrawn`. `changedKeys` are the package keys whose candidate set changed (old and new
 * ranges of every written record), for re-matching stored inventories.
 */
export interface IngestResult {
  added: number;
  changed: number;
  unchanged: number;
  withdrawn: number;
  rejected: number;
  changedKeys: PackageKey[];
}

const AFFECTED_CHUNK = 5000; // rows per statement (one jsonb parameter)

/**
 * Stream advisories into the store, `batchSize` records per transaction. A record whose content
 * hash is unchanged costs no write. A written record's affected rows are deleted and re-inserted
 * in the same transaction as its advisory row, so a reader never sees half of a change.
 * Withdrawn records are stored (the matcher counts and skips them). Works on Postgres and PGlite.
 */
export async function ingestAdvisories(db: Db, source: AsyncIterable<IngestSourceItem>, opts: IngestOptions): Promise<IngestResult> {
  const batchSize = Math.max(1, opts.batchSize ?? 500);
  const totals: IngestResult = { added: 0, changed: 0, unchanged: 0, withdrawn: 0, rejected: 0, changedKeys: [] };
  const keys = new Map<string, PackageKey>();
  let batch = new Map<string, Advisory>();
  const flush = async () => {
    if (batch.size === 0) return;
    const b = [...batch.values()];
    batch = new Map();
    await writeBatch(db, b, opts.sourceName, totals, keys);
    opts.onBatch?.({ ...totals, changedKeys: [] });
  };
  for await (const item of source) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    if ("error" in item) {
      totals.rejected++;
      opts.onReject?.(item.entry, item.error);
      continue;
    }
    batch.set(item.ok.id, item.ok); // the same id twice in one batch: the later record wins
    if (batch.size >= batchSize) await flush();
  }
  await flush();
  totals.changedKeys = [...keys.values()];
  return totals;
}

async function writeBatch(db: Db, batch: Advisory[], source: string, totals: IngestResult, keys: Map<string, PackageKey>): Promise<void> {
  const split = batch.map((a) => toRows(a, source));
  await db.transaction(async (tx) => {
    const known = new Map(
      (await tx.select({ id: schema.advisories.id, hash: schema.advisories.contentHash }).from(schema.advisories)
        .where(inArray(schema.advisories.id, batch.map((a) => a.id)))).map((r) => [r.id, r.hash]),
    );
    const write: AdvisoryRow[] = [];
    const ranges: AffectedRow[] = [];
    const replaced: string[] = [];
    let added = 0, changed = 0, withdrawn = 0, unchanged = 0;
    for (const { advisory, affected } of split) {
      const prev = known.get(advisory.id);
      if (prev === advisory.contentHash) {
        unchanged++;
        continue;
      }
      if (prev !== undefined) replaced.push(advisory.id);
      if (advisory.withdrawn) withdrawn++;
      else if (prev === undefined) added++;
      else changed++;
      write.push(advisory);
      ranges.push(...affected);
    }
    // Bulk writes go through one jsonb_to_recordset statement each: building multi-row INSERTs
    // with the query builder cost more CPU than Postgres spent storing the rows.
    if (write.length > 0) {
      await tx.execute(sql`
        insert into advisories (id, source, modified, published, withdrawn, aliases, summary, severity, doc, content_hash, updated_at)
        select r.id, r.source, r.modified, r.published, r.withdrawn,
               coalesce(array(select jsonb_array_elements_text(r.aliases)), '{}'::text[]),
               r.summary, r.severity, r.doc, r.content_hash, now()
        from jsonb_to_recordset(${JSON.stringify(write.map(advisoryRecord))}::jsonb) as r(
          id text, source text, modified timestamptz, published timestamptz, withdrawn timestamptz,
          aliases jsonb, summary text, severity jsonb, doc jsonb, content_hash text)
        on conflict (id) do update set
          source = excluded.source, modified = excluded.modified, published = excluded.published,
          withdrawn = excluded.withdrawn, aliases = excluded.aliases, summary = excluded.summary,
          severity = excluded.severity, doc = excluded.doc, content_hash = excluded.content_hash,
          updated_at = excluded.updated_at`);
    }
    if (replaced.length > 0) {
      const old = rowsOf<{ ecosystem: string; package_name: string }>(await tx.execute(
        sql`delete from affected_ranges where advisory_id = any(${textArrayLiteral(replaced)}::text[]) returning ecosystem, package_name`,
      ));
      for (const o of old) addKey(keys, o.ecosystem, o.package_name);
    }
    for (let i = 0; i < ranges.length; i += AFFECTED_CHUNK) {
      await tx.execute(sql`
        insert into affected_ranges (advisory_id, ecosystem, ecosystem_release, package_name, purl, ranges, versions, entry_index, entry, max_key, state)
        select r.advisory_id, r.ecosystem, r.ecosystem_release, r.package_name, r.purl, r.ranges,
               case when r.versions is null then null else array(select jsonb_array_elements_text(r.versions)) end,
               r.entry_index, r.entry, r.max_key, r.state
        from jsonb_to_recordset(${JSON.stringify(ranges.slice(i, i + AFFECTED_CHUNK).map(affectedRecord))}::jsonb) as r(
          advisory_id text, ecosystem text, ecosystem_release text, package_name text, purl text, ranges jsonb,
          versions jsonb, entry_index integer, entry jsonb, max_key text, state text)`);
    }
    for (const r of ranges) addKey(keys, r.ecosystem, r.packageName);
    totals.added += added;
    totals.changed += changed;
    totals.withdrawn += withdrawn;
    totals.unchanged += unchanged;
  });
}

const advisoryRecord = (a: AdvisoryRow) => ({
  id: a.id, source: a.source, modified: a.modified, published: a.published, withdrawn: a.withdrawn,
  aliases: a.aliases, summary: a.summary, severity: a.severity, doc: a.doc, content_hash: a.contentHash,
});

const affectedRecord = (r: AffectedRow) => ({
  advisory_id: r.advisoryId, ecosystem: r.ecosystem, ecosystem_release: r.ecosystemRelease, package_name: r.packageName,
  purl: r.purl, ranges: r.ranges, versions: r.versions, entry_index: r.entryIndex, entry: r.entry, max_key: r.maxKey, state: r.state,
});

function addKey(keys: Map<string, PackageKey>, ecosystem: string, name: string): void {
  const k = `${ecosystem}\u0000${name}`;
  if (!keys.has(k)) keys.set(k, { ecosystem, name });
}
