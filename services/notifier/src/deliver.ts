import { DelayedError, UnrecoverableError, type Job } from "@lookout/queue";
import { describeError, type DeliveryJob, type Envelope } from "@lookout/domain";
import {
  recordDestinationHealth, setSubscriptionPaused, unsubscribeToken, type Db, type SecretBox, type Subscription,
} from "@lookout/db";
import { notificationIdFor, type Deliverer, type Notification } from "@lookout/channels";
import type { Logger } from "@lookout/log";
import type { Redis } from "@lookout/queue";
import type { Metrics } from "@lookout/service-kit";
import { clearDigest, sealDigest, type DigestStore } from "./digest.js";
import { destinationKey, isRelayFailure, takeToken } from "./rate.js";
import type { SubscriptionCache } from "./sub-cache.js";
import type { DeliveryLog } from "./delivery-log.js";

export interface DeliverDeps {
  db: Db;
  box: SecretBox;
  redis: Redis;
  namespace: string;
  deliverers: Map<string, Deliverer<any>>;
  log: Logger;
  metrics: Metrics;
  ratePerMinute: number;
  pauseAfter: number;
  latency: { observe(labels: { channel: string }, v: number): void };
  digest: DigestStore;
  subscriptions: SubscriptionCache;
  deliveries: DeliveryLog;
  /** Base URL of the api service: email gets `<publicUrl>/unsubscribe/<token>` as List-Unsubscribe. */
  publicUrl?: string | undefined;
}

/** Error carrying the delay the destination asked for; the queue's backoff strategy reads it. */
export class RetryLater extends Error {
  constructor(message: string, readonly retryAfterMs?: number) {
    super(message);
  }
}

/** The notification a job sends: carried in the job, or for a digest collected from its window. */
async function notificationFor(d: DeliverDeps, sub: Subscription, job: DeliveryJob, log: Logger): Promise<Notification | undefined> {
  // Built and encoded by our own fan-out; the deliverer validates it again before sending.
  if (job.eventType !== "digest") return job.event as Notification;
  const { window, everyMinutes } = job.event as { window: number; everyMinutes: number };
  const { images, dropped } = await sealDigest(d.digest, sub.id, everyMinutes, window);
  if (dropped) log.warn({ dropped }, "digest truncated");
  if (!images.length) return undefined;
  const start = window * everyMinutes * d.digest.minuteMs;
  return { id: notificationIdFor(sub.id, job.eventId), kind: "digest", occurredAt: new Date(start).toISOString(), images };
}

function destinationFor(d: DeliverDeps, sub: Subscription): unknown {
  if (sub.channel !== "email" || !d.publicUrl) return sub.destination;
  const url = `${d.publicUrl.replace(/\/$/, "")}/unsubscribe/${unsubscribeToken(d.box, sub.id)}`;
  return { ...(sub.destination as object), unsubscribeUrl: url };
}

/**
 * Deliver one (subscription, event) notification, or one digest window. The delivery row makes
 * it idempotent: a job that runs again after success (redelivered event, worker killed after
 * the row was written) sends nothing. Residual at-least-once window: a worker killed after the
 * destination accepted but before the row says "delivered" sends again on takeover; receivers
 * drop that duplicate by its stable id (webhook-id, Message-ID).
 */
export async function deliverJob(d: DeliverDeps, env: Envelope<DeliveryJob>, job: Job, token?: string): Promise<string> {
  const { subscriptionId, eventId, eventType } = env.data;
  const log = d.log.child({ correlationId: env.correlationId, subscriptionId, eventId });
  const sub = await d.subscriptions.get(subscriptionId);
  if (!sub) return "subscription gone";
  const status = await d.deliveries.claim({ subscriptionId, eventId, eventType });
  if (status === "delivered" || status === "failed" || status === "skipped") return `already ${status}`;
  if (sub.paused) {
    await d.deliveries.finish({ subscriptionId, eventId, status: "skipped", attempts: job.attemptsMade, lastError: `destination paused: ${sub.pausedReason ?? ""}` });
    return "paused";
  }
  const deliverer = d.deliverers.get(sub.channel);
  if (!deliverer) {
    const reason = `channel ${sub.channel} is not configured${sub.channel === "email" ? " (SMTP_HOST unset)" : ""}`;
    await d.deliveries.finish({ subscriptionId, eventId, status: "failed", attempts: job.attemptsMade, lastError: reason });
    throw new UnrecoverableError(reason);
  }
  const wait = await takeToken(d.redis, d.namespace, destinationKey(sub.channel, sub.destination), d.ratePerMinute);
  if (wait > 0 && token) {
    await job.moveToDelayed(Date.now() + wait, token);
    throw new DelayedError();
  }
  const notification = await notificationFor(d, sub, env.data, log);
  if (!notification) {
    await d.deliveries.finish({ subscriptionId, eventId, status: "skipped", attempts: job.attemptsMade, lastError: "empty digest" });
    return "empty digest";
  }
  const started = performance.now();
  const r = await deliverer.deliver(notification, destinationFor(d, sub));
  const ms = performance.now() - started;
  const attempts = job.attemptsMade + 1;
  const fields = { channel: sub.channel, notificationId: notification.id, attempts };
  if (r.ok) {
    const latencyMs = Date.now() - Date.parse(eventType === "digest" ? env.time : notification.occurredAt);
    await d.deliveries.finish({ subscriptionId, eventId, status: "delivered", attempts, latencyMs });
    if (eventType === "digest") await clearDigest(d.digest, sub.id, (env.data.event as { window: number }).window);
    if (sub.consecutiveFailures > 0) await recordDestinationHealth(d.db, subscriptionId, true);
    d.metrics.jobs.inc({ queue: "delivery", outcome: `${sub.channel}_delivered` });
    d.latency.observe({ channel: sub.channel }, latencyMs / 1000);
    log.info({ ...fields, ms: Math.round(ms) }, "delivery done");
    return "delivered";
  }
  const final = attempts >= (job.opts.attempts ?? 1);
  if (isRelayFailure(sub.channel, r)) {
    // The operator's SMTP relay (auth, TLS, down): not this destination's fault. Retry; never pause.
    await d.deliveries.finish({ subscriptionId, eventId, status: final ? "failed" : "pending", attempts, lastError: `smtp relay: ${r.reason}` });
    log.error({ ...fields, reason: r.reason }, "smtp relay failure: check SMTP_* settings");
    throw new RetryLater(r.reason, r.retryAfterMs);
  }
  const failures = await recordDestinationHealth(d.db, subscriptionId, false);
  d.subscriptions.invalidate(subscriptionId); // the next success must see the count to reset it
  if (failures >= d.pauseAfter) {
    await setSubscriptionPaused(d.db, subscriptionId, true, `${failures} consecutive failures, last: ${r.reason}`);
    log.error({ ...fields, failures }, "destination paused");
  }
  const done = r.permanent || final;
  await d.deliveries.finish({ subscriptionId, eventId, status: done ? "failed" : "pending", attempts, lastError: r.reason });
  d.metrics.jobs.inc({ queue: "delivery", outcome: `${sub.channel}_${done ? "failed" : "retried"}` });
  log.warn({ ...fields, reason: r.reason, permanent: r.permanent }, done ? "delivery failed" : "delivery failed, will retry");
  if (r.permanent) throw new UnrecoverableError(r.reason);
  throw new RetryLater(r.reason, r.retryAfterMs);
}

/** Exponential backoff with full jitter, never sooner than the destination's Retry-After. */
export function deliveryBackoff(attemptsMade: number, err?: Error): number {
  const base = Math.min(2_000 * 2 ** Math.max(0, attemptsMade - 1), 15 * 60_000);
  const jittered = base / 2 + Math.random() * (base / 2);
  const asked = err instanceof RetryLater && err.retryAfterMs ? err.retryAfterMs : 0;
  return Math.max(jittered, asked);
}

export { describeError };
