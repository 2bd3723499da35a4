import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { isLookoutError } from "@lookout/domain";
import { abortedResult, attemptSignal, permanent, reasonOf, transient, type DeliveryResult } from "./deliverer.js";
import { checkDestination, type DestinationPolicy } from "./policy.js";

/** One POST to an already-checked destination. `address` is where to connect (pinned by policy). */
export interface HttpRequest {
  url: URL;
  address: string;
  family: 4 | 6;
  headers: Record<string, string>;
  body: Buffer;
  signal: AbortSignal;
  /** Stop reading the response body after this many bytes. */
  maxResponseBytes: number;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Up to maxResponseBytes of the body, as UTF-8. */
  body: string;
}

/** Injectable HTTP client: channels never use a global fetch. Must not follow redirects. */
export type HttpTransport = (req: HttpRequest) => Promise<HttpResponse>;

/**
 * Default transport: node:http(s) with keep-alive agents, connecting to the pinned address while
 * keeping the URL's host name for the Host header, SNI and certificate checks. Never follows
 * redirects (node:http does not).
 */
export function createHttpTransport(opts: { maxSockets?: number } = {}): HttpTransport & { close(): void } {
  const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets ?? 64, scheduling: "lifo" as const };
  const agents = { http: new http.Agent(agentOpts), https: new https.Agent(agentOpts) };
  const transport = (req: HttpRequest) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const isHttps = req.url.protocol === "https:";
      const pinned: LookupFunction = (_host, options, cb) => {
        if ((options as { all?: boolean }).all) (cb as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: req.address, family: req.family }]);
        else cb(null, req.address, req.family);
      };
      const r = (isHttps ? https : http).request(
        req.url,
        {
          method: "POST",
          agent: isHttps ? agents.https : agents.http,
          headers: { ...req.headers, "content-length": String(req.body.length) },
          signal: req.signal,
          lookup: pinned,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const finish = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") });
          res.on("data", (c: Buffer) => {
            if (size >= req.maxResponseBytes) return;
            const take = c.subarray(0, req.maxResponseBytes - size);
            chunks.push(take);
            size += take.length;
            // Over the cap: stop reading; the socket is dropped rather than drained.
            if (size >= req.maxResponseBytes) {
              res.destroy();
              finish();
            }
          });
          res.on("end", finish);
          res.on("error", reject);
          // A body cut off mid-way (peer reset, our abort) must not leave the promise pending.
          res.on("close", () => reject(new Error("response closed before its end")));
        },
      );
      r.on("error", reject);
      r.end(req.body);
    });
  return Object.assign(transport, {
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  });
}

let shared: ReturnType<typeof createHttpTransport> | undefined;
/** A process-wide default transport, created on first use. */
export function defaultHttpTransport(): HttpTransport {
  shared ??= createHttpTransport();
  return shared;
}

const MAX_RETRY_AFTER_MS = 6 * 3600_000;

/** Retry-After as delay-seconds or an HTTP-date, in ms (capped at 6 h); undefined when absent or bad. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const trimmed = v.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const t = Date.parse(trimmed);
    if (Number.isNaN(t)) return undefined;
    ms = Math.max(0, t - now);
  }
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

/** Generic status → result for webhook-style endpoints (see Deliverer doc for the rules). */
export function classifyStatus(res: HttpResponse, now = Date.now()): DeliveryResult {
  const s = res.status;
  if (s >= 200 && s < 300) return { ok: true, status: s };
  const retryAfterMs = parseRetryAfter(res.headers["retry-after"], now);
  const extra = retryAfterMs === undefined ? { status: s } : { status: s, retryAfterMs };
  if (s === 301 || s === 308) return permanent(`HTTP ${s}: permanent redirect not followed`, { status: s });
  if (s >= 300 && s < 400) return transient(`HTTP ${s}: redirect not followed`, extra);
  if (s === 408 || s === 429) return transient(`HTTP ${s}`, extra);
  if (s >= 400 && s < 500) return permanent(`HTTP ${s}`, { status: s });
  return transient(`HTTP ${s}`, extra);
}

function raceSignal<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

export interface PostOptions {
  policy: DestinationPolicy;
  transport: HttpTransport;
  timeoutMs: number;
  maxResponseBytes: number;
  signal?: AbortSignal;
}

/**
 * Policy check + one POST. Returns the response, or the failure result for a refused
 * destination, a timeout, an abort or a network error. Never throws for those.
 */
export async function postOnce(
  url: string,
  headers: Record<string, string>,
  body: Buffer,
  o: PostOptions,
): Promise<{ res: HttpResponse } | { fail: DeliveryResult }> {
  const attempt = attemptSignal(o.timeoutMs, o.signal);
  const signal = attempt.signal;
  try {
    let checked;
    try {
      // DNS lookups cannot be cancelled: race them so a stuck resolver still honours the bound.
      checked = await raceSignal(checkDestination(url, o.policy), signal);
    } catch (e) {
      if (signal.aborted) return { fail: abortedResult(attempt.timedOut(), o.timeoutMs) };
      if (isLookoutError(e) && e.retryable) return { fail: transient(e.message) };
      if (isLookoutError(e)) return { fail: permanent(e.message) };
      return { fail: transient(reasonOf(e)) };
    }
    try {
      const res = await o.transport({ ...checked, headers, body, signal, maxResponseBytes: o.maxResponseBytes });
      return { res };
    } catch (e) {
      if (signal.aborted) return { fail: abortedResult(attempt.timedOut(), o.timeoutMs) };
      return { fail: transient(`network error: ${reasonOf(e)}`) };
    }
  } finally {
    attempt.done();
  }
}
