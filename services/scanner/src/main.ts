import { matchScopeOf } from "@lookout/config";
import { type Logger } from "@lookout/log";
import { createWorker, JobQueue } from "@lookout/queue";
import { isMain, readinessChecks, runService, type Infra } from "@lookout/runtime";
import { createHttp, createMetrics } from "@lookout/service-kit";
import { createAnalyzer } from "./analyze.js";
import { loadScannerConfig, type ScannerConfig } from "./config.js";
import { handleImageDeleted } from "./image-deleted.js";
import { registryClientFor } from "./registry.js";
import { runScanJob, type Analyzer } from "./scan-job.js";

/** Start a scan worker (and its health/metrics endpoint) on shared infrastructure. */
export async function startScanner(cfg: ScannerConfig, infra: Infra, log: Logger, opts: { analyze?: Analyzer } = {}) {
  const metrics = createMetrics("scanner");
  const registry = registryClientFor(infra.registries, { headersTimeoutMs: cfg.SCANNER_REGISTRY_TIMEOUT, maxManifestBytes: cfg.SCANNER_MAX_MANIFEST });
  const [os, architecture, variant] = cfg.SCANNER_PLATFORM.split("/");
  const analyze = opts.analyze ?? createAnalyzer({ scratchDir: cfg.SCANNER_SCRATCH_DIR, dataDir: infra.dataDir, metrics, match: matchScopeOf(cfg) });
  const worker = createWorker(
    "scan",
    (env, job) => runScanJob(
      { db: infra.database.db, bus: infra.bus, registry, analyze, platform: { os: os!, architecture: architecture ?? "amd64", ...(variant ? { variant } : {}) }, log },
      env, job,
    ),
    {
      connection: infra.redis,
      prefix: infra.namespace,
      concurrency: cfg.SCANNER_CONCURRENCY,
      lockDurationMs: cfg.SCANNER_LOCK_DURATION,
      stalledIntervalMs: cfg.SCANNER_STALLED_INTERVAL,
      log,
      onCompleted: (_job, ms) => {
        metrics.jobs.inc({ queue: "scan", outcome: "completed" });
        metrics.jobDuration.observe({ queue: "scan" }, ms / 1000);
      },
      onFailed: (_job, _err, final) => metrics.jobs.inc({ queue: "scan", outcome: final ? "failed" : "retried" }),
    },
  );
  const scanJobs = new JobQueue("scan", infra.redis, infra.namespace);
  const deletes = new metrics.Counter({ name: "lookout_image_deletes_total", help: "Registry deletes handled, by outcome", labelNames: ["outcome"], registers: [metrics.registry] });
  const deleteConsumer = await infra.bus.consume("scannerDeletes", async (env) => {
    const r = await handleImageDeleted({ db: infra.database.db, registry: cfg.SCANNER_VERIFY_DELETES ? registry : undefined, scanJobs: scanJobs.queue, log }, env);
    deletes.inc({ outcome: r.outcome });
  }, { concurrency: 2 });
  const app = createHttp({ logger: log, metrics, readiness: [...readinessChecks(infra), { name: "worker", check: async () => { if (!worker.isRunning()) throw new Error("worker not running"); } }] });
  const address = await app.listen({ port: cfg.SCANNER_PORT, host: cfg.SCANNER_HOST });
  log.info({ address, concurrency: cfg.SCANNER_CONCURRENCY }, "scanner listening");
  return {
    name: "scanner",
    address,
    worker,
    // Close waits for active jobs to finish; a job cut off by the grace timeout is left locked and
    // another worker takes it over once its lock expires.
    stop: async () => { await deleteConsumer.stop(); await worker.close(); await scanJobs.close(); await app.close(); },
  };
}

if (isMain(import.meta.url)) await runService("scanner", loadScannerConfig, startScanner);
