import { deliveryJobId, type Envelope } from "@lookout/domain";
import { listSubscriptions, type Db, type SecretBox, type Subscription } from "@lookout/db";
import type { JobQueue } from "@lookout/queue";
import type { Logger } from "@lookout/log";
import { buildNotification, type BusEvent } from "./build.js";

export interface FanoutDeps {
  db: Db;
  box: SecretBox;
  deliveryQueue: JobQueue<"delivery">;
  log: Logger;
  publicUrl?: string | undefined;
  attempts: number;
}

/**
 * One bus event → one delivery job per matching subscription. The job id is the
 * (subscription, event) pair, so an event redelivered after a crash enqueues nothing twice;
 * the event is acked only after every job is enqueued.
 */
export async function fanout(d: FanoutDeps, e: BusEvent): Promise<number> {
  const subs: Subscription[] = await listSubscriptions(d.db, undefined, { activeOnly: true });
  let n = 0;
  for (const sub of subs) {
    const jobId = deliveryJobId(sub.id, e.env.id);
    if (await d.deliveryQueue.queue.getJob(jobId)) continue; // handled before a crash/redelivery
    const notification = await buildNotification(d.db, sub, e, { publicUrl: d.publicUrl });
    if (!notification) continue;
    await d.deliveryQueue.add(
      { subscriptionId: sub.id, eventId: e.env.id, eventType: e.env.type, event: notification },
      { jobId, correlationId: e.env.correlationId, attempts: d.attempts, backoff: { type: "lookout" } },
    );
    n++;
  }
  d.log.info({ correlationId: e.env.correlationId, eventId: e.env.id, subscriptions: subs.length, enqueued: n }, "event fanned out");
  return n;
}

export type { Envelope };
