import { and, desc, eq, or, sql } from "drizzle-orm";
import type { Db } from "../client.js";
import { deliveries, sentFindings, subscriptions } from "../schema.js";
import type { SecretBox } from "../secret-box.js";

export interface SubscriptionFilter {
  repositories: string[];
  minSeverity: string;
  onlyFixable: boolean;
  onlyNew: boolean;
  kinds: string[];
}
export interface SubscriptionCadence {
  mode: "immediate" | "digest";
  everyMinutes?: number;
}

export interface Subscription {
  id: string;
  name: string;
  channel: string;
  /** Full destination including secrets: only the notifier sees this. */
  destination: unknown;
  /** What the API may show. */
  publicDestination: unknown;
  filter: SubscriptionFilter;
  cadence: SubscriptionCadence;
  paused: boolean;
  pausedReason: string | null;
  consecutiveFailures: number;
  createdAt: Date;
}

type Row = typeof subscriptions.$inferSelect;

function fromRow(r: Row, box: SecretBox | undefined): Subscription {
  return {
    id: r.id, name: r.name, channel: r.channel,
    destination: box && r.secretSealed ? box.open(r.secretSealed) : undefined,
    publicDestination: r.destination,
    filter: r.filter as SubscriptionFilter,
    cadence: r.cadence as SubscriptionCadence,
    paused: r.paused, pausedReason: r.pausedReason, consecutiveFailures: r.consecutiveFailures, createdAt: r.createdAt,
  };
}

export async function createSubscription(
  db: Db, box: SecretBox,
  s: { id?: string; name: string; channel: string; destination: unknown; publicDestination: unknown; filter: SubscriptionFilter; cadence: SubscriptionCadence },
): Promise<Subscription> {
  const [row] = await db.insert(subscriptions).values({
    ...(s.id ? { id: s.id } : {}),
    name: s.name, channel: s.channel, destination: s.publicDestination, secretSealed: box.seal(s.destination), filter: s.filter, cadence: s.cadence,
  }).onConflictDoUpdate({
    target: subscriptions.id,
    set: { name: s.name, channel: s.channel, destination: s.publicDestination, secretSealed: box.seal(s.destination), filter: s.filter, cadence: s.cadence, updatedAt: new Date() },
  }).returning();
  return fromRow(row!, box);
}

export async function listSubscriptions(db: Db, box?: SecretBox, opts: { activeOnly?: boolean } = {}): Promise<Subscription[]> {
  const rows = await db.select().from(subscriptions).where(opts.activeOnly ? eq(subscriptions.paused, false) : undefined).orderBy(subscriptions.createdAt);
  return rows.map((r) => fromRow(r, box));
}

export async function getSubscription(db: Db, id: string, box?: SecretBox): Promise<Subscription | undefined> {
  const [r] = await db.select().from(subscriptions).where(eq(subscriptions.id, id));
  return r ? fromRow(r, box) : undefined;
}

export async function deleteSubscription(db: Db, id: string): Promise<boolean> {
  const r = await db.delete(subscriptions).where(eq(subscriptions.id, id)).returning({ id: subscriptions.id });
  return r.length > 0;
}

export async function setSubscriptionPaused(db: Db, id: string, paused: boolean, reason?: string): Promise<void> {
  await db.update(subscriptions).set({ paused, pausedReason: reason ?? null, consecutiveFailures: paused ? sql`${subscriptions.consecutiveFailures}` : 0, updatedAt: new Date() }).where(eq(subscriptions.id, id));
}

/** Count a failed or successful delivery; returns the new consecutive-failure count. */
export async function recordDestinationHealth(db: Db, id: string, ok: boolean): Promise<number> {
  const [r] = await db.update(subscriptions)
    .set({ consecutiveFailures: ok ? 0 : sql`${subscriptions.consecutiveFailures} + 1` })
    .where(eq(subscriptions.id, id))
    .returning({ n: subscriptions.consecutiveFailures });
  return r?.n ?? 0;
}

/** Claim a delivery row (idempotent). Returns the row's current status. */
export async function claimDelivery(db: Db, d: { subscriptionId: string; eventId: string; eventType: string }): Promise<string> {
  const created = await db.insert(deliveries).values({ ...d, status: "pending" }).onConflictDoNothing().returning({ status: deliveries.status });
  if (created.length) return created[0]!.status;
  const [r] = await db.select({ status: deliveries.status }).from(deliveries)
    .where(and(eq(deliveries.subscriptionId, d.subscriptionId), eq(deliveries.eventId, d.eventId)));
  return r!.status;
}

export async function finishDelivery(
  db: Db, d: { subscriptionId: string; eventId: string; status: "delivered" | "failed" | "pending" | "skipped"; attempts: number; lastError?: string | null; latencyMs?: number },
): Promise<void> {
  await db.update(deliveries).set({
    status: d.status, attempts: d.attempts, lastError: d.lastError ?? null,
    ...(d.latencyMs !== undefined ? { latencyMs: Math.round(d.latencyMs) } : {}),
    ...(d.status === "delivered" ? { deliveredAt: new Date() } : {}),
  }).where(and(eq(deliveries.subscriptionId, d.subscriptionId), eq(deliveries.eventId, d.eventId)));
}

export type DeliveryKey = { subscriptionId: string; eventId: string; eventType: string };
export type DeliveryOutcome = Parameters<typeof finishDelivery>[1];
const pairKey = (d: { subscriptionId: string; eventId: string }) => `${d.subscriptionId}\u0000${d.eventId}`;

/**
 * `claimDelivery` for many rows in one statement (a second one only for rows that existed).
 * Returns each row's status, in input order.
 */
export async function claimDeliveries(db: Db, items: DeliveryKey[]): Promise<string[]> {
  if (!items.length) return [];
  const status = new Map<string, string>();
  const created = await db.insert(deliveries).values(items.map((d) => ({ ...d, status: "pending" as const }))).onConflictDoNothing()
    .returning({ subscriptionId: deliveries.subscriptionId, eventId: deliveries.eventId, status: deliveries.status });
  for (const r of created) status.set(pairKey(r), r.status);
  const missing = items.filter((d) => !status.has(pairKey(d)));
  if (missing.length) {
    const rows = await db.select({ subscriptionId: deliveries.subscriptionId, eventId: deliveries.eventId, status: deliveries.status }).from(deliveries)
      .where(or(...missing.map((d) => and(eq(deliveries.subscriptionId, d.subscriptionId), eq(deliveries.eventId, d.eventId)))));
    for (const r of rows) status.set(pairKey(r), r.status);
  }
  return items.map((d) => status.get(pairKey(d)) ?? "pending");
}

/** `finishDelivery` for many rows in one UPDATE … FROM (VALUES …). */
export async function finishDeliveries(db: Db, items: DeliveryOutcome[]): Promise<void> {
  if (!items.length) return;
  const values = sql.join(items.map((d) => sql`(${d.subscriptionId}::uuid, ${d.eventId}::text, ${d.status}::text, ${d.attempts}::int, ${d.lastError ?? null}::text, ${d.latencyMs === undefined ? null : Math.round(d.latencyMs)}::int)`), sql`, `);
  await db.execute(sql`UPDATE deliveries AS d SET status = v.status, attempts = v.attempts, last_error = v.last_error,
    latency_ms = COALESCE(v.latency_ms, d.latency_ms),
    delivered_at = CASE WHEN v.status = 'delivered' THEN now() ELSE d.delivered_at END
    FROM (VALUES ${values}) AS v(subscription_id, event_id, status, attempts, last_error, latency_ms)
    WHERE d.subscription_id = v.subscription_id AND d.event_id = v.event_id`);
}

export async function listDeliveries(db: Db, opts: { subscriptionId?: string; status?: string; limit?: number } = {}) {
  return db.select().from(deliveries)
    .where(and(opts.subscriptionId ? eq(deliveries.subscriptionId, opts.subscriptionId) : undefined, opts.status ? eq(deliveries.status, opts.status as any) : undefined))
    .orderBy(desc(deliveries.createdAt)).limit(Math.min(opts.limit ?? 100, 1000));
}

/**
 * Keep only findings this subscription has not been told about for this image, and remember
 * them as told, in one statement. Returns the keys that were new.
 */
export async function claimUnsentFindings(
  db: Db, subscriptionId: string, imageDigest: string, keys: { advisoryId: string; packageName: string }[],
): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db.insert(sentFindings)
    .values(keys.map((k) => ({ subscriptionId, imageDigest, advisoryId: k.advisoryId, packageName: k.packageName })))
    .onConflictDoNothing()
    .returning({ advisoryId: sentFindings.advisoryId, packageName: sentFindings.packageName });
  return new Set(rows.map((r) => `${r.advisoryId}\u0000${r.packageName}`));
}

const UNSUBSCRIBE_PREFIX = "u:";

/**
 * An opaque one-click unsubscribe token for a subscription (RFC 8058 List-Unsubscribe URL).
 * It is the subscription id sealed with the secret box (authenticated encryption), so it cannot
 * be forged or pointed at another subscription, and needs no stored state. Kept under fastify's
 * 100-character path-parameter limit (about 87 characters).
 */
export function unsubscribeToken(box: SecretBox, subscriptionId: string): string {
  return box.seal(UNSUBSCRIBE_PREFIX + subscriptionId.replace(/-/g, "").toLowerCase()).toString("base64url");
}

/** The subscription id a token was made for, or undefined for a malformed or forged token. */
export function subscriptionIdOfUnsubscribeToken(box: SecretBox, token: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{40,100}$/.test(token)) return undefined;
  try {
    const v = box.open<unknown>(Buffer.from(token, "base64url"));
    const m = typeof v === "string" ? /^u:([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/.exec(v) : null;
    return m ? m.slice(1).join("-") : undefined;
  } catch {
    return undefined;
  }
}
