import { getSubscription, type Db, type SecretBox, type Subscription } from "@lookout/db";

/**
 * Subscriptions as the delivery worker reads them, kept for `ttlMs` (default 1 s): a burst of
 * deliveries to one subscription reads and decrypts it once. A pause or deletion takes effect
 * within the TTL.
 */
export interface SubscriptionCache {
  get(id: string): Promise<Subscription | undefined>;
  /** Forget one entry (after this process changed its failure count or paused it). */
  invalidate(id: string): void;
}

export function createSubscriptionCache(db: Db, box: SecretBox, ttlMs = 1_000, max = 10_000): SubscriptionCache {
  const entries = new Map<string, { at: number; value: Promise<Subscription | undefined> }>();
  return {
    get(id) {
      const now = Date.now();
      const hit = entries.get(id);
      if (hit && now - hit.at < ttlMs) return hit.value;
      if (entries.size >= max) entries.clear();
      const value = getSubscription(db, id, box);
      entries.set(id, { at: now, value });
      value.catch(() => entries.delete(id));
      return value;
    },
    invalidate: (id) => void entries.delete(id),
  };
}
