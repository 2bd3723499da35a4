import {
  encodeEvent, LookoutError, scanJobId, type ImageDeleted, type PushEvent,
} from "@lookout/domain";
import type { RegistrySource } from "@lookout/config";
import type { Bus } from "@lookout/bus";
import type { Job, JobQueue } from "@lookout/queue";
import { bearerToken, FLAVOURS, secretsEqual, type SourceConfig } from "@lookout/registry-events";
import { createHttp, type Metrics, type ReadinessCheck } from "@lookout/service-kit";
import type { Logger } from "@lookout/log";
import type { Redis } from "@lookout/queue";

export interface WebhookDeps {
  log: Logger;
  metrics: Metrics;
  bus: Bus;
  scanQueue: JobQueue<"scan">;
  redis: Redis;
  registries: RegistrySource[];
  readiness: ReadinessCheck[];
  bodyLimit: number;
  dedupeTtlMs: number;
  namespace: string;
  /**
   * Whether the database holds this image. A scan job completed within the hour dedupes a new
   * push only when it does: Redis outlives a fresh database (a new data directory, a second
   * install against the same servers), and its "done" would then stand for work this database
   * never got.
   */
  imageKnown?: (image: { registry: string; repository: string; digest: string }) => Promise<boolean>;
  /** Bound on publishing + enqueueing one push before answering 503. */
  acceptTimeoutMs?: number;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, rej) => { t = setTimeout(() => rej(new Error(`no answer within ${ms} ms`)), ms); })]).finally(() => clearTimeout(t));
}

const UNAUTHORIZED = { error: { code: "LKT_ERR_WEBHOOK_AUTH", message: "unknown source or bad credentials" } };
const MAX_DEPTH = 32;

function depthOk(v: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(v)) return v.every((x) => depthOk(x, depth + 1));
  if (v && typeof v === "object") return Object.values(v).every((x) => depthOk(x, depth + 1));
  return true;
}

function isJsonType(ct: string | undefined): boolean {
  if (!ct) return false;
  const base = ct.split(";")[0]!.trim().toLowerCase();
  return base === "application/json" || /^application\/[\w.+-]+\+json$/.test(base);
}

/**
 * POST /hooks/:sourceId — one route per configured registry source. Order matters: size (fastify
 * bodyLimit) → authenticate → content type → parse → validate. Everything authenticated that we
 * do not act on still gets a 2xx: Distribution retries non-2xx forever and blocks behind it.
 */
export function buildWebhookApp(deps: WebhookDeps) {
  const app = createHttp({ logger: deps.log, metrics: deps.metrics, readiness: deps.readiness, bodyLimit: deps.bodyLimit });
  const sources = new Map(deps.registries.filter((r) => r.webhookToken).map((r) => [r.id, r]));
  const pushes = new deps.metrics.Counter({
    name: "lookout_webhook_events_total", help: "Webhook events by outcome", labelNames: ["source", "outcome"], registers: [deps.metrics.registry],
  });

  // Keep the raw bytes: authentication happens before parsing, and signatures (other flavours) are over bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));

  app.post<{ Params: { sourceId: string } }>("/hooks/:sourceId", async (req, reply) => {
    const source = sources.get(req.params.sourceId);
    const token = bearerToken(req.headers.authorization);
    // Same answer, same work, for an unknown source and a bad token.
    const ok = secretsEqual(token, source?.webhookToken ?? "\0no-source\0");
    if (!source || !ok) {
      pushes.inc({ source: "unknown", outcome: "unauthorized" });
      req.log.warn({ sourceId: req.params.sourceId }, "webhook refused: unauthorized");
      return reply.status(401).send(UNAUTHORIZED);
    }
    if (!isJsonType(req.headers["content-type"])) {
      return reply.status(415).send({ error: { code: "LKT_ERR_WEBHOOK_BODY", message: `content-type ${req.headers["content-type"] ?? "(none)"} is not JSON` } });
    }
    let body: unknown;
    try {
      body = JSON.parse((req.body as Buffer).toString("utf8"));
    } catch (e) {
      return reply.status(400).send({ error: { code: "LKT_ERR_WEBHOOK_BODY", message: `body is not valid JSON: ${(e as Error).message}` } });
    }
    if (!depthOk(body)) return reply.status(400).send({ error: { code: "LKT_ERR_WEBHOOK_BODY", message: `JSON nested deeper than ${MAX_DEPTH} levels` } });
    const flavour = FLAVOURS[source.flavour];
    if (!flavour) throw new LookoutError("LKT_ERR_CONFIG_INVALID", `source ${source.id}: unknown flavour ${source.flavour}`);
    const sourceCfg: SourceConfig = { id: source.id, flavour: source.flavour, host: source.host, aliases: source.aliases, repositories: source.repositories };
    let parsed;
    try {
      parsed = flavour.parse(body, sourceCfg);
    } catch (e) {
      if (e instanceof LookoutError) return reply.status(e.status ?? 400).send({ error: { code: e.code, message: e.message } });
      throw e;
    }
    for (const r of parsed.rejected) {
      pushes.inc({ source: source.id, outcome: "rejected" });
      req.log.warn({ sourceId: source.id, eventId: r.eventId, reason: r.reason }, "webhook event rejected");
    }
    pushes.inc({ source: source.id, outcome: "ignored" }, parsed.ignored.length);
    let accepted = 0;
    let duplicates = 0;
    let deletes = 0;
    try {
      for (const p of parsed.pushes) {
        if (await withTimeout(accept(deps, p, String(req.id), req.log), deps.acceptTimeoutMs ?? 5_000)) accepted++;
        else duplicates++;
      }
      for (const d of parsed.deletes) {
        if (await withTimeout(acceptDelete(deps, d, String(req.id), req.log), deps.acceptTimeoutMs ?? 5_000)) deletes++;
        else duplicates++;
      }
    } catch (e) {
      // Queue or bus down: a 503 makes the registry deliver the event again later; nothing is lost.
      req.log.error({ err: (e as Error).message }, "webhook event not accepted: dependency unavailable");
      return reply.status(503).send({ error: { code: "LKT_ERR_UNAVAILABLE", message: "queue or bus unavailable; retry later" } });
    }
    pushes.inc({ source: source.id, outcome: "accepted" }, accepted);
    pushes.inc({ source: source.id, outcome: "duplicate" }, duplicates);
    pushes.inc({ source: source.id, outcome: "deleted" }, deletes);
    return reply.status(202).send({
      accepted, duplicates, ignored: parsed.ignored.length, rejected: parsed.rejected.map((r) => r.reason), deletes,
    });
  });
  return app;
}

/** Publish the push and enqueue its scan; false when this event id was already handled. */
async function accept(deps: WebhookDeps, p: PushEvent, correlationId: string, log: Pick<Logger, "info">): Promise<boolean> {
  const seenKey = `${deps.namespace}:webhook:seen:${p.sourceId}:${p.eventId}`;
  if (await deps.redis.exists(seenKey)) return false;
  const env = encodeEvent("imagePushed", "lookout/webhook", p, { id: `${p.sourceId}-${p.eventId}`, correlationId });
  const jobId = scanJobId(p);
  await deps.bus.publish("imagePushed", env);
  const { created } = await deps.scanQueue.add(
    { image: { registry: p.registry, repository: p.repository, digest: p.digest, ...(p.tag ? { tag: p.tag } : {}), ...(p.mediaType ? { mediaType: p.mediaType } : {}) }, sourceId: p.sourceId, reason: "push" },
    { jobId, correlationId, replace: (job) => stale(deps, job, p) },
  );
  // Marked only after both writes succeeded: a failure above makes the registry retry, and the retry is not lost.
  await deps.redis.set(seenKey, "1", "PX", deps.dedupeTtlMs);
  log.info({ correlationId, eventId: p.eventId, repository: p.repository, digest: p.digest, tag: p.tag, jobId, created }, "push accepted");
  return true;
}

/**
 * An existing scan job that no longer stands for this push: it failed for good (bad credentials,
 * a registry outage; the cause may be fixed now), or it completed for a database that is not
 * this one.
 */
async function stale(deps: WebhookDeps, job: Job, p: PushEvent): Promise<boolean> {
  if (await job.isFailed()) return true;
  return deps.imageKnown !== undefined && (await job.isCompleted()) && !(await deps.imageKnown(p));
}

/**
 * Publish a registry delete for the scanner to act on (it confirms the delete and marks the
 * image); false when this event id was already handled. No queue job: nothing is pulled.
 */
async function acceptDelete(deps: WebhookDeps, d: ImageDeleted, correlationId: string, log: Pick<Logger, "info">): Promise<boolean> {
  const seenKey = `${deps.namespace}:webhook:seen:${d.sourceId}:${d.eventId}`;
  if (await deps.redis.exists(seenKey)) return false;
  await deps.bus.publish("imageDeleted", encodeEvent("imageDeleted", "lookout/webhook", d, { id: `${d.sourceId}-${d.eventId}`, correlationId }));
  await deps.redis.set(seenKey, "1", "PX", deps.dedupeTtlMs);
  log.info({ correlationId, eventId: d.eventId, repository: d.repository, digest: d.digest, tag: d.tag }, "delete accepted");
  return true;
}
