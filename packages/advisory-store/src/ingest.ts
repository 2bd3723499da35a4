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

const AFFECTED_CHUNK = 1000; // 11 params a row: well under the 65,535 bind-parameter limit

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
    if (write.length > 0) {
      await tx.insert(schema.advisories).values(write.map((w) => ({ ...w, updatedAt: new Date() })))
        .onConflictDoUpdate({
          target: schema.advisories.id,
          set: {
            source: sql`excluded.source`, modified: sql`excluded.modified`, published: sql`excluded.published`,
            withdrawn: sql`excluded.withdrawn`, aliases: sql`excluded.aliases`, summary: sql`excluded.summary`,
            severity: sql`excluded.severity`, doc: sql`excluded.doc`, contentHash: sql`excluded.content_hash`,
            updatedAt: sql`excluded.updated_at`,
          },
        });
    }
    if (replaced.length > 0) {
      const old = rowsOf<{ ecosystem: string; package_name: string }>(await tx.execute(
        sql`delete from affected_ranges where advisory_id = any(${textArrayLiteral(replaced)}::text[]) returning ecosystem, package_name`,
      ));
      for (const o of old) addKey(keys, o.ecosystem, o.package_name);
    }
    for (let i = 0; i < ranges.length; i += AFFECTED_CHUNK) {
      await tx.insert(schema.affectedRanges).values(ranges.slice(i, i + AFFECTED_CHUNK));
    }
    for (const r of ranges) addKey(keys, r.ecosystem, r.packageName);
    totals.added += added;
    totals.changed += changed;
    totals.withdrawn += withdrawn;
    totals.unchanged += unchanged;
  });
}

function addKey(keys: Map<string, PackageKey>, ecosystem: string, name: string): void {
  const k = `${ecosystem}\u0000${name}`;
  if (!keys.has(k)) keys.set(k, { ecosystem, name });
}
