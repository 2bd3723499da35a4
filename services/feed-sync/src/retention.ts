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
 * Purge, in batches of 1000 rows (short transactions, no long locks):
 * - images marked deleted from the registry (deleted_at set), with their scans, inventory, findings
 *   and tags (foreign keys cascade);
 * - scans started before `now - maxAgeMs`, except each image's newest scan and the scan its
 *   stored inventory came from;
 * - findings resolved before the cutoff (open findings of live images always stay);
 * - feed sync run records older than the cutoff.
 */
export async function purge(db: Db, maxAgeMs: number, now = new Date(), signal?: AbortSignal): Promise<RetentionResult> {
  const cutoff = new Date(now.getTime() - maxAgeMs).toISOString();
  const images = await drain(db, () => sql`with d as (delete from images where id in (
      select id from images where deleted_at is not null limit ${BATCH}) returning 1) select count(*) as n from d`, signal);
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
