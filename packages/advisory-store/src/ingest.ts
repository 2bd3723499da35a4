import type { Advisory } from "@lookout/advisories";
import { rowsOf, type Db } from "@lookout/db";
import { sql } from "drizzle-orm";
import { nullableTextArrayLiteral, textArrayLiteral } from "./pg-array.js";
import { contentHash, toRows, type AffectedRow } from "./records.js";

/** What a reader yields (`readOsvDir`, `readOsvZip` items fit). */
export type IngestSourceItem = { ok: Advisory; entry?: string; bytes?: number } | { error: string; entry?: string };

export interface IngestOptions {
  /** Stored in advisories.source and hashed with the record ("osv:Debian", "local-import"). */
  sourceName: string;
  /** Records per transaction (default 500). */
  batchSize?: number;
  /**
   * A batch is also written once its records' source text (`bytes` of the items) passes this
   * (default 8 MiB): a few hundred multi-MiB kernel records must not be held at once.
   */
  batchBytes?: number;
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

const AFFECTED_CHUNK = 10_000; // rows per statement (one array parameter per column)

/**
 * Stream advisories into the store, `batchSize` records per transaction. A record whose content
 * hash is unchanged costs no write. A written record's affected rows are deleted and re-inserted
 * in the same transaction as its advisory row, so a reader never sees half of a change.
 * Withdrawn records are stored (the matcher counts and skips them). Works on Postgres and PGlite.
 *
 * One batch is written while the next is read and parsed (CPU and database overlap); writes stay
 * one at a time, in order, so a batch's hash check sees every earlier batch committed.
 */
export async function ingestAdvisories(db: Db, source: AsyncIterable<IngestSourceItem>, opts: IngestOptions): Promise<IngestResult> {
  const batchSize = Math.max(1, opts.batchSize ?? 500);
  const batchBytes = Math.max(1, opts.batchBytes ?? 8 * 1024 * 1024);
  let bytes = 0;
  const totals: IngestResult = { added: 0, changed: 0, unchanged: 0, withdrawn: 0, rejected: 0, changedKeys: [] };
  const keys: KeySet = new Map();
  let batch = new Map<string, Advisory>();
  let writing: Promise<void> | undefined;
  const flush = async () => {
    if (batch.size === 0) return;
    // Hashes and column strings are made here, while the previous batch is still being written.
    const prepared = [...batch.values()].map((a) => prepare(a, opts.sourceName));
    batch = new Map();
    bytes = 0;
    if (writing) await writing;
    writing = writeBatch(db, prepared, opts.sourceName, totals, keys).then(() => opts.onBatch?.({ ...totals, changedKeys: [] }));
    writing.catch(() => {}); // awaited before the next write or at the end; not an unhandled rejection meanwhile
  };
  try {
    for await (const item of source) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      if ("error" in item) {
        totals.rejected++;
        opts.onReject?.(item.entry, item.error);
        continue;
      }
      batch.set(item.ok.id, item.ok); // the same id twice in one batch: the later record wins
      bytes += item.bytes ?? 0;
      if (batch.size >= batchSize || bytes >= batchBytes) await flush();
    }
    await flush();
    if (writing) await writing;
  } finally {
    await writing?.catch(() => {}); // never leave a transaction running behind a failure
  }
  totals.changedKeys = [...keys].flatMap(([ecosystem, names]) => [...names].map((name) => ({ ecosystem, name })));
  return totals;
}

/** An advisories row and its affected_ranges rows as the column values the inserts take. */
interface Prepared {
  advisory: { id: string; modified: string | null; published: string | null; withdrawn: string | null; aliases: string; summary: string | null; hash: string; json: string };
  affected: {
    advisoryId: string; ecosystem: string; ecosystemRelease: string | null; packageName: string; purl: string | null; versions: string;
    entryIndex: number; maxKey: string | null; state: string | null; json: string;
  }[];
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

function prepare(adv: Advisory, source: string): Prepared {
  const { advisory: a, affected } = toRows(adv, source, contentHash(adv, source));
  return {
    advisory: {
      id: a.id, modified: iso(a.modified), published: iso(a.published), withdrawn: iso(a.withdrawn), aliases: textArrayLiteral(a.aliases),
      summary: a.summary, hash: a.contentHash, json: JSON.stringify([a.severity, a.doc]),
    },
    affected: affected.map((r: AffectedRow) => ({
      advisoryId: r.advisoryId, ecosystem: r.ecosystem, ecosystemRelease: r.ecosystemRelease, packageName: r.packageName, purl: r.purl,
      versions: textArrayLiteral(r.versions), entryIndex: r.entryIndex, maxKey: r.maxKey, state: r.state, json: JSON.stringify([r.ranges, r.entry]),
    })),
  };
}

async function writeBatch(db: Db, batch: Prepared[], source: string, totals: IngestResult, keys: KeySet): Promise<void> {
  await db.transaction(async (tx) => {
    const known = new Map(rowsOf<{ id: string; content_hash: string }>(await tx.execute(
      sql`select id, content_hash from advisories where id = any(${textArrayLiteral(batch.map((b) => b.advisory.id))}::text[])`,
    )).map((r) => [r.id, r.content_hash]));
    const write: Prepared["advisory"][] = [];
    const ranges: Prepared["affected"] = [];
    const replaced: string[] = [];
    let added = 0, changed = 0, withdrawn = 0, unchanged = 0;
    for (const { advisory, affected } of batch) {
      const prev = known.get(advisory.id);
      if (prev === advisory.hash) {
        unchanged++;
        continue;
      }
      if (prev !== undefined) replaced.push(advisory.id);
      if (advisory.withdrawn !== null) withdrawn++;
      else if (prev === undefined) added++;
      else changed++;
      write.push(advisory);
      for (const r of affected) ranges.push(r);
    }
    // Bulk writes: one array parameter per column, zipped by ROWS FROM (unnest of typed arrays;
    // the jsonb columns as one JSON array of per-row tuples, serialised in one call). Several
    // times cheaper than jsonb_to_recordset (a JSON object per row to build and take apart) or
    // multi-row VALUES (a bind parameter per value).
    if (write.length > 0) await tx.execute(insertAdvisories(write, source));
    if (replaced.length > 0) {
      const old = rowsOf<{ ecosystem: string; package_name: string }>(await tx.execute(
        sql`delete from affected_ranges where advisory_id = any(${textArrayLiteral(replaced)}::text[]) returning ecosystem, package_name`,
      ));
      for (const o of old) addKey(keys, o.ecosystem, o.package_name);
    }
    for (let i = 0; i < ranges.length; i += AFFECTED_CHUNK) await tx.execute(insertAffected(ranges.slice(i, i + AFFECTED_CHUNK)));
    for (const r of ranges) addKey(keys, r.ecosystem, r.packageName);
    totals.added += added;
    totals.changed += changed;
    totals.withdrawn += withdrawn;
    totals.unchanged += unchanged;
  });
}

function insertAdvisories(rows: Prepared["advisory"][], source: string) {
  const col = <T>(f: (r: Prepared["advisory"]) => T) => rows.map(f);
  return sql`
    insert into advisories (id, source, modified, published, withdrawn, aliases, summary, severity, doc, content_hash, updated_at)
    select r.id, ${source}, r.modified, r.published, r.withdrawn, r.aliases::text[], r.summary, r.j->0, r.j->1, r.content_hash, now()
    from rows from (unnest(${textArrayLiteral(col((r) => r.id))}::text[]), unnest(${nullableTextArrayLiteral(col((r) => r.modified))}::timestamptz[]),
      unnest(${nullableTextArrayLiteral(col((r) => r.published))}::timestamptz[]), unnest(${nullableTextArrayLiteral(col((r) => r.withdrawn))}::timestamptz[]),
      unnest(${textArrayLiteral(col((r) => r.aliases))}::text[]), unnest(${nullableTextArrayLiteral(col((r) => r.summary))}::text[]),
      jsonb_array_elements(${`[${col((r) => r.json).join(",")}]`}::jsonb), unnest(${textArrayLiteral(col((r) => r.hash))}::text[]))
      as r(id, modified, published, withdrawn, aliases, summary, j, content_hash)
    on conflict (id) do update set
      source = excluded.source, modified = excluded.modified, published = excluded.published,
      withdrawn = excluded.withdrawn, aliases = excluded.aliases, summary = excluded.summary,
      severity = excluded.severity, doc = excluded.doc, content_hash = excluded.content_hash,
      updated_at = excluded.updated_at`;
}

function insertAffected(rows: Prepared["affected"]) {
  const col = <T>(f: (r: Prepared["affected"][number]) => T) => rows.map(f);
  return sql`
    insert into affected_ranges (advisory_id, ecosystem, ecosystem_release, package_name, purl, ranges, versions, entry_index, entry, max_key, state)
    select r.advisory_id, r.ecosystem, r.ecosystem_release, r.package_name, r.purl, r.j->0, r.versions::text[], r.entry_index, r.j->1, r.max_key, r.state
    from rows from (unnest(${textArrayLiteral(col((r) => r.advisoryId))}::text[]), unnest(${textArrayLiteral(col((r) => r.ecosystem))}::text[]),
      unnest(${nullableTextArrayLiteral(col((r) => r.ecosystemRelease))}::text[]), unnest(${textArrayLiteral(col((r) => r.packageName))}::text[]),
      unnest(${nullableTextArrayLiteral(col((r) => r.purl))}::text[]), jsonb_array_elements(${`[${col((r) => r.json).join(",")}]`}::jsonb),
      unnest(${textArrayLiteral(col((r) => r.versions))}::text[]), unnest(${`{${col((r) => r.entryIndex).join(",")}}`}::integer[]),
      unnest(${nullableTextArrayLiteral(col((r) => r.maxKey))}::text[]), unnest(${nullableTextArrayLiteral(col((r) => r.state))}::text[]))
      as r(advisory_id, ecosystem, ecosystem_release, package_name, purl, j, versions, entry_index, max_key, state)`;
}

/** Changed package keys, ecosystem → names: no joined string to build and hash per range row. */
type KeySet = Map<string, Set<string>>;

function addKey(keys: KeySet, ecosystem: string, name: string): void {
  let names = keys.get(ecosystem);
  if (!names) keys.set(ecosystem, (names = new Set()));
  names.add(name);
}
