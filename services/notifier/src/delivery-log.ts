import { claimDeliveries, finishDeliveries, type Db, type DeliveryKey, type DeliveryOutcome } from "@lookout/db";

/**
 * Group commit for the delivery log: claims and outcomes from concurrent jobs are written in
 * one statement per batch. Each caller still waits for its own row to be written before it goes
 * on, so the log's guarantees are those of one statement per delivery.
 */
export interface DeliveryLog {
  claim(d: DeliveryKey): Promise<string>;
  finish(d: DeliveryOutcome): Promise<void>;
}

function batcher<T, R>(run: (items: T[]) => Promise<R[]>, maxBatch: number): (item: T) => Promise<R> {
  const pending: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  let scheduled = false;
  const flush = async () => {
    scheduled = false;
    const batch = pending.splice(0, maxBatch);
    if (pending.length) schedule();
    try {
      const out = await run(batch.map((b) => b.item));
      batch.forEach((b, i) => b.resolve(out[i]!));
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => void flush());
  };
  return (item) =>
    new Promise<R>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      schedule();
    });
}

export function createDeliveryLog(db: Db, maxBatch = 200): DeliveryLog {
  return {
    claim: batcher((items: DeliveryKey[]) => claimDeliveries(db, items), maxBatch),
    finish: batcher(async (items: DeliveryOutcome[]) => {
      await finishDeliveries(db, items);
      return items.map(() => undefined);
    }, maxBatch),
  };
}
