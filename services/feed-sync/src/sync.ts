import { eq } from "drizzle-orm";
import { describeError, encodeEvent } from "@lookout/domain";
import { schema, type Db } from "@lookout/db";
import type { Bus } from "@lookout/bus";
import type { Logger } from "@lookout/log";
import type { Redis } from "@lookout/queue";
import type { FeedSource, SyncCounts } from "./sources/index.js";

export interface SyncDeps {
  db: Db;
  bus: Bus;
  redis: Redis;
  namespace: string;
  log: Logger;
  timeoutMs: number;
  onRun?: (source: string, status: string, counts: SyncCounts, ms: number) => void;
}

/**
 * Sync one source under a per-source lock (SET NX PX): however many feed-sync replicas run, at
 * most one syncs a given source at a time. Each run is recorded with its counts or its error.
 */
export async function syncSource(d: SyncDeps, source: FeedSource, trigger: string): Promise<{ status: string; counts?: SyncCounts; runId?: string }> {
  const lockKey = `${d.namespace}:feed-lock:${source.name}`;
  const lockVal = `${process.pid}-${Date.now()}-${Math.random()}`;
  if ((await d.redis.set(lockKey, lockVal, "PX", d.timeoutMs, "NX")) !== "OK") {
    d.log.info({ source: source.name }, "sync skipped: another replica holds the lock");
    return { status: "locked" };
  }
  const [run] = await d.db.insert(schema.feedSyncRuns).values({ source: source.name, trigger, status: "running" }).returning({ id: schema.feedSyncRuns.id });
  const runId = run!.id;
  const log = d.log.child({ source: source.name, runId });
  const started = performance.now();
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error(`sync exceeded ${d.timeoutMs} ms`)), d.timeoutMs);
  try {
    log.info({ trigger }, "sync start");
    const counts = await source.sync({ db: d.db, log, signal: ac.signal });
    const status = counts.unchanged ? "unchanged" : "succeeded";
    await d.db.update(schema.feedSyncRuns).set({ status, finishedAt: new Date(), ...pick(counts) }).where(eq(schema.feedSyncRuns.id, runId));
    await d.db.insert(schema.feedState).values({ source: source.name, lastSuccessAt: new Date() })
      .onConflictDoUpdate({ target: schema.feedState.source, set: { lastSuccessAt: new Date() } });
    await d.bus.publish("feedSynced", encodeEvent("feedSynced", "lookout/feed-sync", { runId, source: source.name, status: "succeeded", ...pick(counts) }, { id: `feed-${runId}` }));
    d.onRun?.(source.name, status, counts, performance.now() - started);
    log.info({ ...pick(counts), status, ms: Math.round(performance.now() - started) }, "sync done");
    return { status, counts, runId };
  } catch (e) {
    const error = describeError(e);
    await d.db.update(schema.feedSyncRuns).set({ status: "failed", finishedAt: new Date(), error }).where(eq(schema.feedSyncRuns.id, runId));
    d.onRun?.(source.name, "failed", { added: 0, changed: 0, withdrawn: 0, rejected: 0 }, performance.now() - started);
    log.error({ err: error }, "sync failed");
    return { status: "failed", runId };
  } finally {
    clearTimeout(timer);
    // Release only our own lock (a run that outlived its lock must not free the next holder's).
    if ((await d.redis.get(lockKey)) === lockVal) await d.redis.del(lockKey);
  }
}

const pick = (c: SyncCounts) => ({ added: c.added, changed: c.changed, withdrawn: c.withdrawn, rejected: c.rejected });

/** A run with no sources configured is still recorded, so operators see the schedule firing. */
export async function recordEmptyRun(db: Db, trigger: string): Promise<string> {
  const [run] = await db.insert(schema.feedSyncRuns).values({ source: "(none)", trigger, status: "unchanged", finishedAt: new Date() }).returning({ id: schema.feedSyncRuns.id });
  return run!.id;
}
