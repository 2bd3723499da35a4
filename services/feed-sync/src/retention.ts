import { rowsOf, type Db } from "@lookout/db";
import { sql } from "drizzle-orm";

export interface RetentionResult {
  images: number;
  scans: number;
  findings: number;
  runs: number;
}

const BATCH = 1000;

/** Run one batched delete until it deletes nothing; returns the rows deleted. */
async function drain(db: Db, stmt: () => ReturnType<typeof sql>, signal?: AbortSignal): Promise<number> {
  let total = 0;
  for (;;) {
    if (signal?.aborted) throw signal.reason;
    const n = rowsOf<{ n: string | number }>(await db.execute(stmt()))[0]?.n ?? 0;
    total += Number(n);
    if (Number(n) < BATCH) return total;
  }
}

/**
 * How long data is kept. Deleted images stop alerting as soon as they are marked (re-match skips
 * them); their rows stay `deletedGraceMs` so the API can still answer "what was in the image we
 * deleted yesterday", and so an accidental delete undone by a re-push keeps its history.
 */
export interface RetentionPolicy {
  maxAgeMs: number;
  /** Deleted images older than this (by deleted_at) are purged; 0 = at the next run. */
  deletedGraceMs?: number;
}

/**
 * Purge, in batches of 1000 rows (short transactions, no long locks):
 * - images marked deleted from the registry (deleted_at before `now - deletedGraceMs`), with their
 *   scans, inventory, findings and tags (foreign keys cascade);
 * - scans started before `now - maxAgeMs`, except each image's newest scan and the scan its
 *   stored inventory came from;
 * - findings resolved before the cutoff (open findings of live images always stay);
 * - feed sync run records older than the cutoff.
 */
export async function purge(db: Db, policy: number | RetentionPolicy, now = new Date(), signal?: AbortSignal): Promise<RetentionResult> {
  const { maxAgeMs, deletedGraceMs = 0 } = typeof policy === "number" ? { maxAgeMs: policy } : policy;
  const cutoff = new Date(now.getTime() - maxAgeMs).toISOString();
  const deletedBefore = new Date(now.getTime() - deletedGraceMs).toISOString();
  const images = await drain(db, () => sql`with d as (delete from images where id in (
      select id from images where deleted_at <= ${deletedBefore}::timestamptz limit ${BATCH}) returning 1) select count(*) as n from d`, signal);
  const scans = await drain(db, () => sql`with keep as (
      select distinct scan_id as id from packages
      union all select id from (select distinct on (image_id) id from scans order by image_id, started_at desc) latest),
    d as (delete from scans where id in (
      select s.id from scans s where s.started_at < ${cutoff}::timestamptz and s.id not in (select id from keep) limit ${BATCH}) returning 1)
    select count(*) as n from d`, signal);
  const findings = await drain(db, () => sql`with d as (delete from findings where id in (
      select id from findings where status = 'resolved' and resolved_at < ${cutoff}::timestamptz limit ${BATCH}) returning 1)
    select count(*) as n from d`, signal);
  const runs = await drain(db, () => sql`with d as (delete from feed_sync_runs where id in (
      select id from feed_sync_runs where started_at < ${cutoff}::timestamptz and status <> 'running' limit ${BATCH}) returning 1)
    select count(*) as n from d`, signal);
  return { images, scans, findings, runs };
}
