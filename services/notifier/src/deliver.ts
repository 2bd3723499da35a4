import { DelayedError, UnrecoverableError, type Job } from "@lookout/queue";
import { describeError, type DeliveryJob, type Envelope } from "@lookout/domain";
import {
  claimDelivery, finishDelivery, getSubscription, recordDestinationHealth, setSubscriptionPaused, type Db, type SecretBox,
} from "@lookout/db";
import { notificationSchema, type Deliverer } from "@lookout/channels";
import type { Logger } from "@lookout/log";
import type { Redis } from "@lookout/queue";
import type { Metrics } from "@lookout/service-kit";

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
}

/** Error carrying the delay the destination asked for; the queue's backoff strategy reads it. */
export class RetryLater extends Error {
  constructor(message: string, readonly retryAfterMs?: number) {
    super(message);
  }
}

/** Per-destination fixed-window limit in Redis: true when this send fits the window. */
async function takeToken(d: DeliverDeps, subscriptionId: string): Promise<number> {
  const windowMs = 60_000;
  const win = Math.floor(Date.now() / windowMs);
  const key = `${d.namespace}:rate:${subscriptionId}:${win}`;
  const n = await d.redis.incr(key);
  if (n === 1) await d.redis.pexpire(key, windowMs * 2);
  return n <= d.ratePerMinute ? 0 : (win + 1) * windowMs - Date.now();
}

/**
 * Deliver one (subscription, event) notification. The delivery row makes it idempotent: a job
 * that runs again after success (redelivered event, worker killed after sending) sends nothing.
 */
export async function deliverJob(d: DeliverDeps, env: Envelope<DeliveryJob>, job: Job, token?: string): Promise<string> {
  const { subscriptionId, eventId, eventType } = env.data;
  const log = d.log.child({ correlationId: env.correlationId, subscriptionId, eventId });
  const sub = await getSubscription(d.db, subscriptionId, d.box);
  if (!sub) return "subscription gone";
  const status = await claimDelivery(d.db, { subscriptionId, eventId, eventType });
  if (status === "delivered" || status === "failed") return `already ${status}`;
  if (sub.paused) {
    await finishDelivery(d.db, { subscriptionId, eventId, status: "skipped", attempts: job.attemptsMade, lastError: `destination paused: ${sub.pausedReason ?? ""}` });
    return "paused";
  }
  const wait = await takeToken(d, subscriptionId);
  if (wait > 0 && token) {
    await job.moveToDelayed(Date.now() + wait, token);
    throw new DelayedError();
  }
  const deliverer = d.deliverers.get(sub.channel);
  if (!deliverer) throw new UnrecoverableError(`channel ${sub.channel} is not configured`);
  const notification = notificationSchema.parse(env.data.event);
  const started = performance.now();
  const r = await deliverer.deliver(notification, sub.destination);
  const ms = performance.now() - started;
  const attempts = job.attemptsMade + 1;
  if (r.ok) {
    await finishDelivery(d.db, { subscriptionId, eventId, status: "delivered", attempts, latencyMs: Date.now() - Date.parse(env.time) });
    await recordDestinationHealth(d.db, subscriptionId, true);
    d.metrics.jobs.inc({ queue: "delivery", outcome: `${sub.channel}_delivered` });
    d.latency.observe({ channel: sub.channel }, (Date.now() - Date.parse(env.time)) / 1000);
    log.info({ channel: sub.channel, ms: Math.round(ms), notificationId: notification.id }, "delivery done");
    return "delivered";
  }
  const failures = await recordDestinationHealth(d.db, subscriptionId, false);
  if (failures >= d.pauseAfter) {
    await setSubscriptionPaused(d.db, subscriptionId, true, `${failures} consecutive failures, last: ${r.reason}`);
    log.error({ channel: sub.channel, failures }, "destination paused");
  }
  const final = r.permanent || attempts >= (job.opts.attempts ?? 1);
  await finishDelivery(d.db, { subscriptionId, eventId, status: final ? "failed" : "pending", attempts, lastError: r.reason });
  d.metrics.jobs.inc({ queue: "delivery", outcome: `${sub.channel}_${final ? "failed" : "retried"}` });
  log.warn({ channel: sub.channel, reason: r.reason, permanent: r.permanent, attempts }, final ? "delivery failed" : "delivery failed, will retry");
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
