import { ConfigError } from "@lookout/config";
import { createLogger, type Logger } from "@lookout/log";
import { createWorker, JobQueue } from "@lookout/queue";
import { closeInfra, openInfra, readinessChecks, type Infra } from "@lookout/runtime";
import { createHttp, createMetrics, installShutdown } from "@lookout/service-kit";
import { loadFeedSyncConfig, type FeedSyncConfig } from "./config.js";
import { SOURCES, type FeedSource } from "./sources/index.js";
import { recordEmptyRun, syncSource } from "./sync.js";

export async function startFeedSync(cfg: FeedSyncConfig, infra: Infra, log: Logger, opts: { sources?: FeedSource[] } = {}) {
  const metrics = createMetrics("feed-sync");
  const wanted = cfg.FEED_SYNC_SOURCES.split(",").map((s) => s.trim()).filter(Boolean);
  const all = opts.sources ?? SOURCES;
  const sources = wanted.length ? all.filter((s) => wanted.includes(s.name)) : all;
  const runs = new metrics.Counter({ name: "lookout_feed_sync_runs_total", help: "Feed sync runs", labelNames: ["source", "status"], registers: [metrics.registry] });
  const records = new metrics.Counter({ name: "lookout_feed_sync_records_total", help: "Advisories written", labelNames: ["source", "kind"], registers: [metrics.registry] });
  const lastSuccess = new metrics.Gauge({ name: "lookout_feed_last_success_timestamp_seconds", help: "Unix time of each source's last successful sync (age = now - this)", labelNames: ["source"], registers: [metrics.registry] });
  const queue = new JobQueue("feedSync", infra.redis, infra.namespace);
  // One scheduler entry however many replicas start: BullMQ upserts it by id.
  await queue.queue.upsertJobScheduler("feed-sync-every", { every: cfg.FEED_SYNC_INTERVAL }, {
    name: "sync-feeds",
    data: { id: "scheduled", type: "sync-feeds", time: new Date().toISOString(), source: "lookout/feed-sync", correlationId: "feed-schedule", data: { trigger: "schedule" } },
  });
  const deps = {
    db: infra.database.db, bus: infra.bus, redis: infra.redis, namespace: infra.namespace, log, timeoutMs: cfg.FEED_SYNC_TIMEOUT,
    onRun: (source: string, status: string, c: { added: number; changed: number; withdrawn: number; rejected: number }) => {
      runs.inc({ source, status });
      for (const k of ["added", "changed", "withdrawn", "rejected"] as const) records.inc({ source, kind: k }, c[k]);
      if (status !== "failed") lastSuccess.set({ source }, Date.now() / 1000);
    },
  };
  const worker = createWorker("feedSync", async (env) => {
    const chosen = env.data.source ? sources.filter((s) => s.name === env.data.source) : sources;
    if (chosen.length === 0) return { runId: await recordEmptyRun(infra.database.db, env.data.trigger) };
    const results = [];
    for (const s of chosen) results.push({ source: s.name, ...(await syncSource(deps, s, env.data.trigger)) });
    return results;
  }, { connection: infra.redis, prefix: infra.namespace, concurrency: 1, lockDurationMs: 120_000, log });
  const app = createHttp({ logger: log, metrics, readiness: readinessChecks(infra) });
  const address = await app.listen({ port: cfg.FEED_SYNC_PORT, host: cfg.FEED_SYNC_HOST });
  log.info({ address, sources: sources.map((s) => s.name), intervalMs: cfg.FEED_SYNC_INTERVAL }, "feed-sync listening");
  return { name: "feed-sync", address, queue, stop: async () => { await worker.close(); await queue.close(); await app.close(); } };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let cfg: FeedSyncConfig;
  try {
    cfg = loadFeedSyncConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const p of e.problems) console.error(`feed-sync: config: ${p}`);
      process.exit(2);
    }
    throw e;
  }
  const log = createLogger({ service: "feed-sync", level: cfg.LOG_LEVEL });
  const infra = await openInfra(cfg, log, "feed-sync");
  const svc = await startFeedSync(cfg, infra, log);
  installShutdown(log, () => [svc, { name: "infra", stop: () => closeInfra(infra) }], cfg.LOOKOUT_SHUTDOWN_GRACE);
}
