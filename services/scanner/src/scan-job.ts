import {
  describeError, encodeEvent, LookoutError, type Envelope, type Platform, type ScanCompleted, type ScanJob,
} from "@lookout/domain";
import { finishScan, startScan, upsertImage, type Db } from "@lookout/db";
import type { Bus } from "@lookout/bus";
import { platformString, type ImageSource, type RegistryClient } from "@lookout/oci";
import type { Logger } from "@lookout/log";

/** What analysing one image produces; the inventory/matching steps fill it in. */
export interface Analysis {
  packageCount: number;
  findingCount: number;
  severityCounts: Record<string, number>;
  topFindings: ScanCompleted["topFindings"];
  distro?: unknown;
  unknowns?: { path: string; reason: string; layerDigest?: string }[];
  sbom?: unknown;
}

/** Inventory + match + persist for one image; returns the summary. */
export type Analyzer = (src: ImageSource, ctx: { db: Db; imageId: number; scanId: string; log: Logger; signal?: AbortSignal }) => Promise<Analysis>;

export interface ScanDeps {
  db: Db;
  bus: Bus;
  registry: RegistryClient;
  analyze: Analyzer;
  platform: Platform;
  log: Logger;
}

/**
 * One scan job: resolve (through an index to the configured platform) → record image →
 * analyse → record outcome → publish scan.completed. A host the operator did not configure is
 * refused before any network I/O (the registry client enforces it too).
 */
export async function runScanJob(deps: ScanDeps, env: Envelope<ScanJob>, job: { id?: string | undefined; attemptsMade: number; opts: { attempts?: number } }) {
  const { image } = env.data;
  const log = deps.log.child({ correlationId: env.correlationId, jobId: job.id, repository: image.repository, digest: image.digest });
  deps.registry.hostConfig(image.registry); // throws LKT_ERR_REGISTRY_NOT_CONFIGURED: never retried, never fetched
  log.info({}, "scan start");
  const resolved = await deps.registry.resolve({ registry: image.registry, repository: image.repository, digest: image.digest }, { platform: deps.platform });
  if (resolved.kind === "not-an-image") {
    log.info({ artifactType: resolved.artifactType }, "scan skipped: not an image");
    return { skipped: true };
  }
  const results = [];
  for (const src of resolved.images) results.push(await scanOne(deps, env, job, src, log));
  return { scans: results };
}

async function scanOne(deps: ScanDeps, env: Envelope<ScanJob>, job: { id?: string | undefined; attemptsMade: number; opts: { attempts?: number } }, src: ImageSource, log: Logger) {
  const { image } = env.data;
  const started = performance.now();
  const imageId = await upsertImage(deps.db, {
    registry: image.registry,
    repository: image.repository,
    digest: src.manifestDigest,
    tag: image.tag,
    mediaType: src.manifest.mediaType,
    platform: src.platform ? platformString(src.platform) : undefined,
    configDigest: src.configDigest,
    size: src.layers.reduce((n, l) => n + l.size, 0),
    created: src.config.created ? new Date(src.config.created) : undefined,
    user: src.config.user,
    envKeys: src.config.envKeys,
    labels: src.config.labels,
    layers: src.layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType, size: l.size })),
  });
  const scanId = await startScan(deps.db, { imageId, reason: env.data.reason, jobId: job.id, correlationId: env.correlationId });
  const slog = log.child({ scanId, imageDigest: src.manifestDigest });
  const target = { registry: image.registry, repository: image.repository, digest: src.manifestDigest, ...(image.tag ? { tag: image.tag } : {}), mediaType: src.manifest.mediaType };
  let analysis: Analysis;
  try {
    analysis = await deps.analyze(src, { db: deps.db, imageId, scanId, log: slog });
  } catch (e) {
    const durationMs = performance.now() - started;
    const error = describeError(e);
    await finishScan(deps.db, scanId, { status: "failed", error, durationMs });
    const retryable = !(e instanceof LookoutError) || e.retryable;
    const lastAttempt = !retryable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    slog.warn({ err: error, retryable, lastAttempt, ms: Math.round(durationMs) }, "scan failed");
    if (lastAttempt) {
      await deps.bus.publish("scanCompleted", encodeEvent("scanCompleted", "lookout/scanner", {
        scanId, image: target, status: "failed", error, packageCount: 0, findingCount: 0, severityCounts: {}, durationMs, topFindings: [],
        ...(src.platform ? { platform: platformString(src.platform) } : {}),
      }, { id: `scan-${scanId}`, correlationId: env.correlationId }));
    }
    throw e;
  }
  const durationMs = performance.now() - started;
  await finishScan(deps.db, scanId, { status: "succeeded", durationMs, ...analysis });
  await deps.bus.publish("scanCompleted", encodeEvent("scanCompleted", "lookout/scanner", {
    scanId, image: target, status: "succeeded", packageCount: analysis.packageCount, findingCount: analysis.findingCount,
    severityCounts: analysis.severityCounts, durationMs, topFindings: analysis.topFindings,
    ...(src.platform ? { platform: platformString(src.platform) } : {}),
  }, { id: `scan-${scanId}`, correlationId: env.correlationId }));
  slog.info({ ms: Math.round(durationMs), packages: analysis.packageCount, findings: analysis.findingCount }, "scan done");
  return { scanId, imageId };
}
