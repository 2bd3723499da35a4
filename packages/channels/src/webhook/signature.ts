import { createHmac, timingSafeEqual } from "node:crypto";
import { LookoutError } from "@lookout/domain";

/**
 * Standard Webhooks 1.0 signing (reference §8.3): HMAC-SHA256 over `${id}.${timestamp}.${body}`
 * with the base64-decoded bytes of a `whsec_<base64>` secret; header value `v1,<base64>`,
 * space-separated when several keys sign (rotation).
 */

export const SECRET_PREFIX = "whsec_";

/** Key bytes of a `whsec_…` secret (the prefix is optional, as in the reference library). */
export function secretKey(secret: string): Buffer {
  const b64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
    throw new LookoutError("LKT_ERR_CONFIG_INVALID", "webhook secret must be whsec_ followed by base64");
  }
  return Buffer.from(b64, "base64");
}

function hmac(key: Buffer, id: string, timestamp: number, body: string | Buffer): Buffer {
  return createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest();
}

/** The `webhook-signature` value for one or more secrets (all listed, for rotation). */
export function signStandardWebhook(secrets: string | readonly string[], id: string, timestamp: number, body: string | Buffer): string {
  if (id.includes(".")) throw new LookoutError("LKT_ERR_CONFIG_INVALID", "webhook-id must not contain '.'");
  const list = typeof secrets === "string" ? [secrets] : secrets;
  return list.map((s) => `v1,${hmac(secretKey(s), id, timestamp, body).toString("base64")}`).join(" ");
}

type HeaderBag = Record<string, string | string[] | undefined> | { get(name: string): string | null };

function header(h: HeaderBag, name: string): string | undefined {
  if (typeof (h as { get?: unknown }).get === "function") return (h as { get(n: string): string | null }).get(name) ?? undefined;
  const bag = h as Record<string, string | string[] | undefined>;
  const v = bag[name] ?? Object.entries(bag).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(v) ? v[0] : v;
}

function fail(msg: string): never {
  throw new LookoutError("LKT_ERR_WEBHOOK_AUTH", msg, { status: 401 });
}

export interface VerifyOptions {
  /** Accepted clock skew either way, seconds. Default 300. */
  toleranceSec?: number;
  /** Current time (ms since epoch or Date). Default Date.now(). */
  now?: number | Date;
}

/**
 * Verifies a Standard Webhooks request against the raw body bytes, in constant time per
 * signature. Accepts several secrets (rotation). Returns the message id and timestamp (the
 * caller should drop ids already seen within the tolerance window); throws LKT_ERR_WEBHOOK_AUTH.
 */
export function verifyStandardWebhook(
  secrets: string | readonly string[],
  headers: HeaderBag,
  body: string | Buffer,
  opts: VerifyOptions = {},
): { id: string; timestamp: number } {
  const id = header(headers, "webhook-id");
  const ts = header(headers, "webhook-timestamp");
  const sig = header(headers, "webhook-signature");
  if (!id || !ts || !sig) fail("missing webhook-id, webhook-timestamp or webhook-signature header");
  if (!/^\d{1,12}$/.test(ts)) fail("webhook-timestamp is not integer seconds");
  const timestamp = Number(ts);
  const nowSec = Math.floor((opts.now === undefined ? Date.now() : Number(opts.now)) / 1000);
  const tol = opts.toleranceSec ?? 300;
  if (timestamp < nowSec - tol) fail("webhook-timestamp too old");
  if (timestamp > nowSec + tol) fail("webhook-timestamp in the future");
  const expected = (typeof secrets === "string" ? [secrets] : secrets).map((s) => hmac(secretKey(s), id, timestamp, body));
  for (const entry of sig.split(" ")) {
    const [version, value] = entry.split(",", 2);
    if (version !== "v1" || !value) continue;
    const given = Buffer.from(value, "base64");
    for (const want of expected) {
      if (given.length === want.length && timingSafeEqual(given, want)) return { id, timestamp };
    }
  }
  fail("no matching webhook signature");
}
