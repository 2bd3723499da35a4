import { deliveryJobId, encodeJob, QUEUES, type Envelope } from "@lookout/domain";
import { listSubscriptions, type Db, type SecretBox, type Subscription } from "@lookout/db";
import type { JobQueue } from "@lookout/queue";
import type { Logger } from "@lookout/log";
import { buildNotification, type BusEvent } from "./build.js";
import { digestEventId, digestJobId, parkInDigest, type DigestStore } from "./digest.js";

export interface FanoutDeps {
  db: Db;
  box: SecretBox;
  deliveryQueue: JobQueue<"delivery">;
  log: Logger;
  publicUrl?: string | undefined;
  attempts: number;
  digest: DigestStore;
}

/**
 * One bus event → one delivery job per matching immediate subscription, or one parked image in
 * each matching digest subscription's open window (plus that window's delayed job).
 *
 * Redelivery safety: an immediate job's id is the (subscription, event) pair and a digest park
 * is keyed by event id, so an event redelivered after a crash adds nothing twice. For `onlyNew`
 * the "already told" claim and the enqueue share a transaction: a crash between them undoes the
 * claim, so the redelivered event still carries those findings. The event is acked only after
 * every subscription is handled.
 */
export async function fanout(d: FanoutDeps, e: BusEvent): Promise<number> {
  const subs: Subscription[] = await listSubscriptions(d.db, undefined, { activeOnly: true });
  let n = 0;
  // Immediate subscriptions without onlyNew need no database work: one bulk add for all of them.
  // BullMQ ignores a job whose id exists, so a redelivered event adds nothing twice.
  const bulk: Parameters<JobQueue<"delivery">["queue"]["addBulk"]>[0] = [];
  for (const sub of subs) {
    if (sub.cadence.mode === "digest" || sub.filter.onlyNew) {
      if (await handleOne(d, sub, e)) n++;
      continue;
    }
    const notification = await buildNotification(d.db, sub, e, { publicUrl: d.publicUrl });
    if (!notification) continue;
    const data = encodeJob("delivery", { subscriptionId: sub.id, eventId: e.env.id, eventType: e.env.type, event: notification }, e.env.correlationId);
    bulk.push({ name: QUEUES.delivery.job, data, opts: { jobId: deliveryJobId(sub.id, e.env.id), attempts: d.attempts, backoff: { type: "lookout" } } });
  }
  if (bulk.length) await d.deliveryQueue.queue.addBulk(bulk);
  n += bulk.length;
  d.log.info({ correlationId: e.env.correlationId, eventId: e.env.id, subscriptions: subs.length, enqueued: n }, "event fanned out");
  return n;
}

async function handleOne(d: FanoutDeps, sub: Subscription, e: BusEvent): Promise<boolean> {
  const digest = sub.cadence.mode === "digest";
  const jobId = deliveryJobId(sub.id, e.env.id);
  if (!digest && (await d.deliveryQueue.queue.getJob(jobId))) return false; // handled before a crash/redelivery
  const run = async (db: Db): Promise<boolean> => {
    const notification = await buildNotification(db, sub, e, { publicUrl: d.publicUrl });
    if (!notification) return false;
    const common = { correlationId: e.env.correlationId, attempts: d.attempts, backoff: { type: "lookout" } };
    if (digest) {
      const every = sub.cadence.everyMinutes ?? 60;
      const parked = await parkInDigest(d.digest, sub.id, every, e.env.id, notification.images[0]!);
      const eventId = digestEventId(parked.window);
      await d.deliveryQueue.add(
        { subscriptionId: sub.id, eventId, eventType: "digest", event: { window: parked.window, everyMinutes: every } },
        { ...common, jobId: digestJobId(sub.id, parked.window), delay: Math.max(0, parked.dueAt - Date.now()) },
      );
      return parked.added;
    }
    await d.deliveryQueue.add({ subscriptionId: sub.id, eventId: e.env.id, eventType: e.env.type, event: notification }, { ...common, jobId });
    return true;
  };
  return sub.filter.onlyNew ? d.db.transaction((tx) => run(tx as unknown as Db)) : run(d.db);
}

export type { Envelope };
