import type { Notification } from "./notification.js";

/**
 * Outcome of one delivery attempt. The notifier's queue acts on it: `ok` records success,
 * `permanent` stops retrying (and counts towards pausing the destination), otherwise it retries
 * with backoff, waiting at least `retryAfterMs` when the destination asked for it.
 */
export type DeliveryResult =
  | { ok: true; status?: number; providerId?: string }
  | { ok: false; permanent: boolean; reason: string; retryAfterMs?: number; status?: number };

export interface DeliverOptions {
  /** Aborts the attempt; an abort is reported as a transient failure, not thrown. */
  signal?: AbortSignal;
}

/**
 * A notification channel (one folder under src/, one line in registry.ts).
 *
 * Contract:
 * - `deliver` never throws for a destination failure: it returns `{ok:false}`. It throws only for
 *   programmer errors (a notification that fails its schema is reported as permanent, not thrown).
 * - `n.id` is the idempotency key: retries of the same notification carry the same id
 *   (webhook-id, Message-ID), so receivers can drop duplicates.
 * - Every attempt is bounded by the channel's timeout; a hung destination is a transient failure.
 *
 * Permanent failures (retrying cannot help; fix the subscription):
 * - destination refused by the address policy (private/loopback/link-local, http when not allowed);
 * - Slack: 404/410, `invalid_payload`, `channel_not_found`, `channel_is_archived`, `no_service`,
 *   `no_service_id`, `no_active_hooks`, `invalid_token`, `no_team`, `team_disabled`,
 *   `action_prohibited`, `user_not_found`, `posting_to_general_channel_denied`, `no_text`,
 *   `invalid_blocks`, `too_many_attachments`, `msg_blocks_too_long`, and any other 4xx except 408/429;
 * - webhook: 410, any 4xx except 408/429, 301/308 (redirects are never followed);
 * - SMTP: 5xx replies (mailbox unknown, relay denied, message refused, auth refused).
 *
 * Transient failures (retry with backoff):
 * - timeouts, aborts, connection errors (DNS failure, refused, reset);
 * - HTTP 408, 429 (with `retryAfterMs` from Retry-After), 5xx, other 3xx; Slack `rollup_error`;
 * - SMTP 4xx replies (greylisting, mailbox busy) and connection-level errors.
 */
export interface Deliverer<C> {
  /** Stable channel name, unique in CHANNELS: "slack", "email", "webhook". */
  readonly name: string;
  deliver(n: Notification, dest: C, opts?: DeliverOptions): Promise<DeliveryResult>;
  /** Releases pooled connections (SMTP pool, HTTP agents it owns). Safe to call twice. */
  close?(): Promise<void>;
}

/** Optional logger: libraries take one, never create one. */
export interface ChannelLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export function permanent(reason: string, extra: { status?: number } = {}): DeliveryResult {
  return { ok: false, permanent: true, reason, ...extra };
}

export function transient(reason: string, extra: { status?: number; retryAfterMs?: number } = {}): DeliveryResult {
  return { ok: false, permanent: false, reason, ...extra };
}

/**
 * One signal that fires on the caller's abort or after `timeoutMs`, whichever comes first.
 * Call `done()` when the attempt ends: it clears the timer and unhooks from the caller's signal
 * (a hand-rolled AbortSignal.any, whose Node 20 version leaks dependents of long-lived signals).
 */
export function attemptSignal(timeoutMs: number, signal?: AbortSignal): { signal: AbortSignal; timedOut(): boolean; done(): void } {
  const ac = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ac.abort(new DOMException(`timed out after ${timeoutMs} ms`, "TimeoutError"));
  }, timeoutMs);
  const onAbort = () => ac.abort(signal?.reason);
  if (signal?.aborted) onAbort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: ac.signal,
    timedOut: () => timedOut,
    done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    },
  };
}

/** The failure for an attempt that ended by its signal. */
export function abortedResult(timedOut: boolean, timeoutMs: number): DeliveryResult {
  return transient(timedOut ? `timed out after ${timeoutMs} ms` : "aborted");
}

/** A one-line reason from any thrown value (no stack, no secrets from URLs). */
export function reasonOf(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    const msg = e.message.split("\n", 1)[0] ?? "";
    return typeof code === "string" && !msg.includes(code) ? `${code}: ${msg}` : msg;
  }
  return String(e);
}
