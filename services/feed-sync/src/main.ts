import { matchScopeOf } from "@lookout/config";
import { schema } from "@lookout/db";
import { type Logger } from "@lookout/log";
import { createWorker, JobQueue } from "@lookout/queue";
import { isMain, readinessChecks, runService, type Infra } from "@lookout/runtime";
import { createHttp, createMetrics } from "@lookout/service-kit";
import { loadFeedSyncConfig, type FeedSyncConfig } from "./config.js";
import type { FetchLike } from "./fetch/download.js";
import { purge } from "./retention.js";
import { SOURCES, type FeedSource } from "./sources/index.js";
import { recordEmptyRun, syncSource, type SyncDeps } from "./sync.js";

/** The feedSync queue's `source` value that runs the retention purge instead of a sync. */
export const RETENTION_JOB = "(retention)";
const DAY_MS = 86_400_000;

const envelope = (data: { trigger: "schedule"; source?: string }, id: string) => ({
  id, type: "sync-feeds", time: new Date().toISOString(), source: "lookout/feed-sync", correlationId: id, data,
});

export interface FeedSyncOptions {
  /** Replace the configured sources (tests). */
  sources?: FeedSource[];
  /** The HTTP client every source uses (default: global fetch). */
  fetch?: FetchLike;
  tmpDir?: string;
}

export async function startFeedSync(cfg: FeedSyncConfig, infra: Infra, log: Logger, opts: FeedSyncOptions = {}) {
  const metrics = createMetrics("feed-sync");
  const wanted = cfg.FEED_SYNC_SOURCES.split(",").map((s) => s.trim()).filter(Boolean);
  const all = opts.sources ?? SOURCES.map((s) => s.create(cfg));
  const sources = wanted.length ? all.filter((s) => wanted.includes(s.name)) : all.filter((s) => s.enabled !== false);
  const runs = new metrics.Counter({ name: "lookout_feed_sync_runs_total", help: "Feed sync runs", labelNames: ["source", "status"], registers: [metrics.registry] });
  const records = new metrics.Counter({ name: "lookout_feed_sync_records_total", help: "Advisories written", labelNames: ["source", "kind"], registers: [metrics.registry] });
  const lastSuccess = new metrics.Gauge({ name: "lookout_feed_last_success_timestamp_seconds", help: "Unix time of each source's last successful sync (age = now - this)", labelNames: ["source"], registers: [metrics.registry] });
  const lastSuccessAt = new Map<string, number>();
  // Seeded from feed_state so a restarted replica reports the real age before its first run.
  for (const r of await infra.database.db.select({ source: schema.feedState.source, at: schema.feedState.lastSuccessAt }).from(schema.feedState)) {
    if (r.at && sources.some((s) => s.name === r.source)) lastSuccessAt.set(r.source, r.at.getTime());
  }
  for (const [s, at] of lastSuccessAt) lastSuccess.set({ source: s }, at / 1000);
  new metrics.Gauge({
    name: "lookout_feed_age_seconds", help: "Seconds since each source's last successful sync", labelNames: ["source"], registers: [metrics.registry],
    collect() {
      for (const [s, at] of lastSuccessAt) this.set({ source: s }, (Date.now() - at) / 1000);
    },
  });
  const purged = new metrics.Counter({ name: "lookout_retention_purged_total", help: "Rows purged by retention", labelNames: ["kind"], registers: [metrics.registry] });
  const queue = new JobQueue("feedSync", infra.redis, infra.namespace);
  // One scheduler entry however many replicas start: BullMQ upserts it by id.
  await queue.queue.upsertJobScheduler("feed-sync-every", { every: cfg.FEED_SYNC_INTERVAL }, { name: "sync-feeds", data: envelope({ trigger: "schedule" }, "feed-schedule") });
  await queue.queue.upsertJobScheduler("feed-retention-daily", { every: DAY_MS }, { name: "sync-feeds", data: envelope({ trigger: "schedule", source: RETENTION_JOB }, "feed-retention") });
  const shutdown = new AbortController();
  const deps: SyncDeps = {
    db: infra.database.db, bus: infra.bus, redis: infra.redis, namespace: infra.namespace, log, timeoutMs: cfg.FEED_SYNC_TIMEOUT, match: matchScopeOf(cfg),
    fetch: opts.fetch ?? ((url, init) => fetch(url, init)), maxBytes: cfg.FEED_SYNC_MAX_DOWNLOAD, batchSize: cfg.FEED_SYNC_BATCH,
    signal: shutdown.signal, ...(opts.tmpDir ? { tmpDir: opts.tmpDir } : {}),
    onRun: (source, status, c) => {
      runs.inc({ source, status });
      for (const k of ["added", "changed", "withdrawn", "rejected"] as const) records.inc({ source, kind: k }, c[k]);
      if (status !== "failed") {
        lastSuccessAt.set(source, Date.now());
        lastSuccess.set({ source }, Date.now() / 1000);
      }
    },
  };
  const worker = createWorker("feedSync", async (env) => {
    if (env.data.source === RETENTION_JOB) {
      const r = await purge(infra.database.db, { maxAgeMs: cfg.FEED_SYNC_RETENTION, deletedGraceMs: cfg.FEED_SYNC_DELETED_RETENTION }, new Date(), shutdown.signal);
      for (const [k, n] of Object.entries(r)) purged.inc({ kind: k }, n);
      log.info({ ...r }, "retention done");
      return r;
    }
    const chosen = env.data.source ? sources.filter((s) => s.name === env.data.source) : sources;
    if (chosen.length === 0) return { runId: await recordEmptyRun(infra.database.db, env.data.trigger) };
    const results = [];
    for (const s of chosen) results.push({ source: s.name, ...(await syncSource(deps, s, env.data.trigger)) });
    return results;
  }, { connection: infra.redis, prefix: infra.namespace, concurrency: 1, lockDurationMs: 120_000, log });
  const app = createHttp({ logger: log, metrics, readiness: readinessChecks(infra) });
  const address = await app.listen({ port: cfg.FEED_SYNC_PORT, host: cfg.FEED_SYNC_HOST });
  log.info({ address, sources: sources.map((s) => s.name), intervalMs: cfg.FEED_SYNC_INTERVAL }, "feed-sync listening");
  return {
    name: "feed-sync", address, queue, deps, sources,
    stop: async () => {
      shutdown.abort(new Error("feed-sync stopping"));
      await worker.close();
      await queue.close();
      await app.close();
    },
  };
}

if (isMain(import.meta.url)) await runService("feed-sync", loadFeedSyncConfig, startFeedSync);
