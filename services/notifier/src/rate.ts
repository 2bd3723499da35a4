import { createHash } from "node:crypto";
import type { DeliveryResult } from "@lookout/channels";
import type { Redis } from "@lookout/queue";

/**
 * Where a delivery lands, as a rate-limit key: the Slack/webhook URL or the recipient list,
 * hashed (the URL is a secret). Two subscriptions to the same Slack webhook share one budget.
 */
export function destinationKey(channel: string, destination: unknown): string {
  const d = destination as { url?: unknown; to?: unknown };
  const what = typeof d?.url === "string" ? d.url : Array.isArray(d?.to) ? [...(d.to as string[])].sort().join(",") : JSON.stringify(destination);
  return createHash("sha256").update(channel).update("\n").update(what).digest("base64url").slice(0, 22);
}

/**
 * Per-destination fixed-window limit in Redis: 0 when this send fits the current minute,
 * else the ms until the next window opens.
 */
export async function takeToken(redis: Redis, namespace: string, key: string, perMinute: number, now = Date.now()): Promise<number> {
  const windowMs = 60_000;
  const win = Math.floor(now / windowMs);
  const k = `${namespace}:rate:${key}:${win}`;
  const n = await redis.incr(k);
  if (n === 1) await redis.pexpire(k, windowMs * 2);
  return n <= perMinute ? 0 : (win + 1) * windowMs - now + Math.floor(Math.random() * 1000);
}

/** SMTP replies about our own relay session (auth, TLS, relay unavailable), not the recipients. */
const RELAY_REPLY_CODES = new Set([421, 432, 454, 530, 534, 535, 538]);

/**
 * True when an email failure is the operator's relay problem (wrong SMTP password, relay down or
 * refused by policy), not the recipients'. Such failures must not count towards pausing or
 * permanently failing every email subscription: they are retried and logged loudly.
 */
export function isRelayFailure(channel: string, r: DeliveryResult): boolean {
  if (channel !== "email" || r.ok) return false;
  if (r.status !== undefined) return RELAY_REPLY_CODES.has(r.status);
  // No reply code: connection-level (refused, timeout, TLS) or the relay host refused by policy.
  return !/EENVELOPE|EMESSAGE|notification invalid/.test(r.reason);
}
