import { tmpdir } from "node:os";
import { eq } from "drizzle-orm";
import { describeError, encodeEvent } from "@lookout/domain";
import { schema, type Db } from "@lookout/db";
import type { Bus } from "@lookout/bus";
import type { Logger } from "@lookout/log";
import type { ScopeOptions } from "@lookout/matching";
import type { Redis } from "@lookout/queue";
import type { FetchLike } from "./fetch/download.js";
import { carriedKeys } from "./rematch/carry-over.js";
import { rematch, type RematchResult } from "./rematch/index.js";
import type { FeedSource, SyncCounts, SyncProgress } from "./sources/index.js";

export interface SyncDeps {
  db: Db;
  /** Absent in the CLI: findings are re-matched and stored, events are not published. */
  bus?: Pick<Bus, "publish">;
  /** Absent in the CLI (one process, no replicas): no lock is taken. */
  redis?: Redis;
  namespace: string;
  log: Logger;
  timeoutMs: number;
  /** Distro release scoping for re-match; must equal the scanner's (matchScopeEnv). */
  match?: ScopeOptions;
  fetch: FetchLike;
  tmpDir?: string;
  maxBytes: number;
  batchSize: number;
  /** Cancels the run from outside (shutdown, CLI Ctrl-C). */
  signal?: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
  onRun?: (source: string, status: string, counts: SyncCounts, ms: number) => void;
}

export interface SyncOutcome {
  status: "locked" | "unchanged" | "succeeded" | "failed";
  runId?: string;
  counts?: SyncCounts;
  rematch?: RematchResult;
  error?: string;
}

/**
 * Sync one source under a per-source lock (SET NX PX): however many feed-sync replicas run, at
 * most one syncs a given source at a time. Then re-match the stored images the changed package
 * keys can affect. Each run is recorded with its counts or its error. A source whose parts
 * partly failed still re-matches what it did ingest, and is recorded as failed with the reasons.
 */
export async function syncSource(d: SyncDeps, source: FeedSource, trigger: string): Promise<SyncOutcome> {
  const lockKey = `${d.namespace}:feed-lock:${source.name}`;
  const lockVal = `${process.pid}-${Date.now()}-${Math.random()}`;
  if (d.redis && (await d.redis.set(lockKey, lockVal, "PX", d.timeoutMs, "NX")) !== "OK") {
    d.log.info({ source: source.name }, "sync skipped: another replica holds the lock");
    return { status: "locked" };
  }
  const [run] = await d.db.insert(schema.feedSyncRuns).values({ source: source.name, trigger, status: "running" }).returning({ id: schema.feedSyncRuns.id });
  const runId = run!.id;
  const log = d.log.child({ source: source.name, runId });
  const started = performance.now();
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error(`sync exceeded ${d.timeoutMs} ms`)), d.timeoutMs);
  const signal = d.signal ? AbortSignal.any([ac.signal, d.signal]) : ac.signal;
  try {
    log.info({ trigger }, "sync start");
    const counts = await source.sync({
      db: d.db, log, signal, fetch: d.fetch, tmpDir: d.tmpDir ?? tmpdir(), maxBytes: d.maxBytes, batchSize: d.batchSize,
      ...(d.onProgress ? { onProgress: d.onProgress } : {}),
    });
    const carried = await carriedKeys(d.db, source.name, runId);
    if (carried.length) log.info({ keys: carried.length }, "re-matching what the previous, unfinished run ingested");
    const rm = await rematch({ db: d.db, log, ...(d.bus ? { bus: d.bus } : {}), ...(d.match ? { match: d.match } : {}) }, [...(counts.changedKeys ?? []), ...carried], runId);
    const error = counts.errors?.length ? counts.errors.join("; ").slice(0, 2000) : undefined;
    const status = error ? "failed" : counts.unchanged ? "unchanged" : "succeeded";
    await d.db.update(schema.feedSyncRuns).set({ status, finishedAt: new Date(), error: error ?? null, ...pick(counts) }).where(eq(schema.feedSyncRuns.id, runId));
    if (!error) {
      await d.db.insert(schema.feedState).values({ source: source.name, lastSuccessAt: new Date() })
        .onConflictDoUpdate({ target: schema.feedState.source, set: { lastSuccessAt: new Date() } });
    }
    await d.bus?.publish("feedSynced", encodeEvent("feedSynced", "lookout/feed-sync", { runId, source: source.name, status: error ? "failed" : "succeeded", ...pick(counts) }, { id: `feed-${runId}` }));
    d.onRun?.(source.name, status, counts, performance.now() - started);
    log.info({ ...pick(counts), status, rematched: rm.images, ms: Math.round(performance.now() - started) }, "sync done");
    return { status, counts, runId, rematch: rm, ...(error ? { error } : {}) };
  } catch (e) {
    const error = describeError(e);
    await d.db.update(schema.feedSyncRuns).set({ status: "failed", finishedAt: new Date(), error }).where(eq(schema.feedSyncRuns.id, runId)).catch(() => {});
    d.onRun?.(source.name, "failed", { added: 0, changed: 0, withdrawn: 0, rejected: 0 }, performance.now() - started);
    log.error({ err: error }, "sync failed");
    return { status: "failed", runId, error };
  } finally {
    clearTimeout(timer);
    // Release only our own lock (a run that outlived its lock must not free the next holder's).
    if (d.redis && (await d.redis.get(lockKey).catch(() => null)) === lockVal) await d.redis.del(lockKey).catch(() => {});
  }
}

const pick = (c: SyncCounts) => ({ added: c.added, changed: c.changed, withdrawn: c.withdrawn, rejected: c.rejected });

/** A run with no sources configured is still recorded, so operators see the schedule firing. */
export async function recordEmptyRun(db: Db, trigger: string): Promise<string> {
  const [run] = await db.insert(schema.feedSyncRuns).values({ source: "(none)", trigger, status: "unchanged", finishedAt: new Date() }).returning({ id: schema.feedSyncRuns.id });
  return run!.id;
}
