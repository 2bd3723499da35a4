import { rowsOf, type Db } from "@lookout/db";
import type { PackageKey } from "@lookout/advisory-store";
import { sql } from "drizzle-orm";

/**
 * Package keys a previous run of `source` may have ingested without re-matching: when the run
 * before `runId` did not finish cleanly (failed, or still "running" after a crash), the keys of
 * every advisory of this source written since it started. Ingest commits before re-match, so
 * without this a crash in between would leave those images unmatched (the next ingest
 * hash-skips the same records and reports no change).
 */
export async function carriedKeys(db: Db, source: string, runId: string): Promise<PackageKey[]> {
  const prev = rowsOf<{ status: string; started_at: string | Date }>(await db.execute(sql`
    select status, started_at from feed_sync_runs where source = ${source} and id <> ${runId}
    order by started_at desc limit 1`))[0];
  if (!prev || (prev.status !== "failed" && prev.status !== "running")) return [];
  const since = new Date(prev.started_at).toISOString();
  return rowsOf<{ ecosystem: string; package_name: string }>(await db.execute(sql`
    select distinct r.ecosystem, r.package_name from advisories a join affected_ranges r on r.advisory_id = a.id
    where (a.source = ${source} or a.source like ${`${source}:%`}) and a.updated_at >= ${since}::timestamptz`))
    .map((r) => ({ ecosystem: r.ecosystem, name: r.package_name }));
}
