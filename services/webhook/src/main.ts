import { getImageByDigest } from "@lookout/db";
import { JobQueue } from "@lookout/queue";
import { isMain, readinessChecks, runService } from "@lookout/runtime";
import { createMetrics } from "@lookout/service-kit";
import { buildWebhookApp } from "./app.js";
import { loadWebhookConfig, type WebhookConfig } from "./config.js";
import type { Infra } from "@lookout/runtime";
import type { Logger } from "@lookout/log";

/** Start the webhook service on shared infrastructure; returns its stopper. */
export async function startWebhook(cfg: WebhookConfig, infra: Infra, log: Logger) {
  const metrics = createMetrics("webhook");
  const scanQueue = new JobQueue("scan", infra.redis, infra.namespace);
  const app = buildWebhookApp({
    log, metrics, bus: infra.bus, scanQueue, redis: infra.redis, registries: infra.registries,
    readiness: readinessChecks(infra), bodyLimit: cfg.WEBHOOK_BODY_LIMIT, dedupeTtlMs: cfg.WEBHOOK_DEDUPE_TTL, namespace: infra.namespace,
    imageKnown: async (i) => (await getImageByDigest(infra.database.db, i.digest, i.repository)) !== undefined,
  });
  const address = await app.listen({ port: cfg.WEBHOOK_PORT, host: cfg.WEBHOOK_HOST });
  log.info({ address }, "webhook listening");
  return { name: "webhook", address, app, stop: async () => { await app.close(); await scanQueue.close(); } };
}

if (isMain(import.meta.url)) await runService("webhook", loadWebhookConfig, startWebhook);
