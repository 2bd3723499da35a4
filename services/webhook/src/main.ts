import { createLogger } from "@lookout/log";
import { ConfigError } from "@lookout/config";
import { JobQueue } from "@lookout/queue";
import { closeInfra, openInfra, readinessChecks } from "@lookout/runtime";
import { createMetrics, installShutdown } from "@lookout/service-kit";
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
  });
  const address = await app.listen({ port: cfg.WEBHOOK_PORT, host: cfg.WEBHOOK_HOST });
  log.info({ address }, "webhook listening");
  return { name: "webhook", address, app, stop: async () => { await app.close(); await scanQueue.close(); } };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let cfg: WebhookConfig;
  try {
    cfg = loadWebhookConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const p of e.problems) console.error(`webhook: config: ${p}`);
      process.exit(2);
    }
    throw e;
  }
  const log = createLogger({ service: "webhook", level: cfg.LOG_LEVEL });
  const infra = await openInfra(cfg, log, "webhook");
  const svc = await startWebhook(cfg, infra, log);
  installShutdown(log, () => [svc, { name: "infra", stop: () => closeInfra(infra) }], cfg.LOOKOUT_SHUTDOWN_GRACE);
}
