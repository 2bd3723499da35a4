import { createSubscription, SecretBox } from "@lookout/db";
import { CHANNELS, type Deliverer, type DestinationPolicy } from "@lookout/channels";
import { type Logger } from "@lookout/log";
import { createWorker, JobQueue } from "@lookout/queue";
import { isMain, readinessChecks, runService, secretKeyFrom, type Infra } from "@lookout/runtime";
import { createHttp, createMetrics } from "@lookout/service-kit";
import { loadNotifierConfig, type NotifierConfig } from "./config.js";
import { deliverJob, deliveryBackoff } from "./deliver.js";
import { fanout } from "./fanout.js";
import { createSubscriptionCache } from "./sub-cache.js";
import { createDeliveryLog } from "./delivery-log.js";

/** Fixed id of the subscription LOOKOUT_SLACK_WEBHOOK_URL defines, so restarts update it in place. */
export const CONFIG_SLACK_SUBSCRIPTION_ID = "00000000-0000-4000-8000-00000000511c";

export async function startNotifier(cfg: NotifierConfig, infra: Infra, log: Logger) {
  const metrics = createMetrics("notifier");
  const box = new SecretBox(secretKeyFrom(cfg.LOOKOUT_SECRET_KEY, infra.dataDir));
  const policy: DestinationPolicy = { allowPrivate: cfg.NOTIFIER_ALLOW_PRIVATE, allowLoopback: cfg.NOTIFIER_ALLOW_LOOPBACK, allowHttp: cfg.NOTIFIER_ALLOW_HTTP };
  const deliverers = new Map<string, Deliverer<any>>();
  const timeoutMs = cfg.NOTIFIER_HTTP_TIMEOUT_MS;
  deliverers.set("slack", CHANNELS.slack.create({ timeoutMs }, { policy, log }));
  deliverers.set("webhook", CHANNELS.webhook.create({ timeoutMs }, { policy, log }));
  if (cfg.SMTP_HOST) {
    deliverers.set("email", CHANNELS.email.create({
      host: cfg.SMTP_HOST, port: cfg.SMTP_PORT, secure: cfg.SMTP_SECURE, from: cfg.SMTP_FROM,
      ...(cfg.SMTP_USER && cfg.SMTP_PASSWORD ? { auth: { user: cfg.SMTP_USER, pass: cfg.SMTP_PASSWORD } } : {}),
    }, { policy, log }));
  }
  if (cfg.LOOKOUT_SLACK_WEBHOOK_URL) {
    await createSubscription(infra.database.db, box, {
      id: CONFIG_SLACK_SUBSCRIPTION_ID, name: "slack (from LOOKOUT_SLACK_WEBHOOK_URL)", channel: "slack",
      destination: { url: cfg.LOOKOUT_SLACK_WEBHOOK_URL }, publicDestination: { host: new URL(cfg.LOOKOUT_SLACK_WEBHOOK_URL).host },
      filter: { repositories: [], minSeverity: "unknown", onlyFixable: false, onlyNew: false, kinds: [] },
      cadence: { mode: "immediate" },
    });
  }
  const latency = new metrics.Histogram({
    name: "lookout_delivery_latency_seconds", help: "Event time to delivery", labelNames: ["channel"],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300], registers: [metrics.registry],
  });
  const deliveryQueue = new JobQueue("delivery", infra.redis, infra.namespace);
  const digest = { redis: infra.redis, namespace: infra.namespace, minuteMs: cfg.NOTIFIER_DIGEST_MINUTE_MS };
  const fan = { db: infra.database.db, box, deliveryQueue, log, publicUrl: cfg.LOOKOUT_PUBLIC_URL, attempts: cfg.NOTIFIER_ATTEMPTS, digest };
  const handle = (subject: "scanCompleted" | "findingsChanged") => async (env: any) => {
    const t = performance.now();
    await fanout(fan, { subject, env });
    metrics.events.inc({ subject, direction: "in", outcome: "ok" });
    metrics.eventDuration.observe({ subject }, (performance.now() - t) / 1000);
  };
  const consumers = [
    await infra.bus.consume("notifierScans", handle("scanCompleted")),
    await infra.bus.consume("notifierFindings", handle("findingsChanged")),
  ];
  const subscriptions = createSubscriptionCache(infra.database.db, box);
  const deliveries = createDeliveryLog(infra.database.db);
  const worker = createWorker(
    "delivery",
    (env, job, token) => deliverJob({
      db: infra.database.db, box, redis: infra.redis, namespace: infra.namespace, deliverers, log, metrics,
      ratePerMinute: cfg.NOTIFIER_RATE_PER_MINUTE, pauseAfter: cfg.NOTIFIER_PAUSE_AFTER, latency, digest, subscriptions, deliveries, publicUrl: cfg.LOOKOUT_PUBLIC_URL,
    }, env, job, token),
    {
      connection: infra.redis, prefix: infra.namespace, concurrency: cfg.NOTIFIER_CONCURRENCY, log, backoffStrategy: deliveryBackoff,
      lockDurationMs: cfg.NOTIFIER_LOCK_MS, stalledIntervalMs: cfg.NOTIFIER_LOCK_MS,
    },
  );
  const app = createHttp({ logger: log, metrics, readiness: readinessChecks(infra) });
  const address = await app.listen({ port: cfg.NOTIFIER_PORT, host: cfg.NOTIFIER_HOST });
  log.info({ address, channels: [...deliverers.keys()] }, "notifier listening");
  return {
    name: "notifier",
    address,
    stop: async () => {
      for (const c of consumers) await c.stop();
      await worker.close();
      await deliveryQueue.close();
      for (const d of deliverers.values()) await d.close?.();
      await app.close();
    },
  };
}

if (isMain(import.meta.url)) await runService("notifier", loadNotifierConfig, startNotifier);
