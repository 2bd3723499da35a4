import { LookoutError } from "@lookout/domain";
import { discardBody, type HttpRequester, type HttpResponse } from "./http.js";

export interface TransportOptions {
  request: HttpRequester;
  /** Time allowed until response headers arrive (covers connect). Default 30 s. */
  headersTimeoutMs?: number;
  /** Longest silence allowed while reading a body. Default 60 s. */
  readIdleTimeoutMs?: number;
  /** Attempts for a request that fails transiently (network, 429, 5xx). Default 4. */
  attempts?: number;
  /** First backoff delay; doubles each attempt, with jitter. Default 250 ms. */
  backoffMs?: number;
  /** Longest Retry-After honoured. Default 30 s. */
  maxRetryAfterMs?: number;
  maxRedirects?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface SentResponse {
  res: HttpResponse;
  /** Aborting destroys the request and the body; the header/idle timers abort it with a typed reason. */
  controller: AbortController;
  /** Re-arm the idle timer; call on every body chunk. */
  touch(): void;
  done(): void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
export const TRANSIENT = new Set([408, 429, 500, 502, 503, 504]);

export function retryAfterMs(res: HttpResponse, cap: number): number | undefined {
  const h = res.headers.get("retry-after");
  if (!h) return undefined;
  const secs = Number(h);
  const ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(h) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), cap) : undefined;
}

/**
 * One HTTP exchange with manual redirects: the Authorization header goes only to the origin it
 * was meant for, never to a redirect target on another origin; https never downgrades to http.
 * Headers must arrive within the header timeout; the caller re-arms the idle timer per chunk.
 */
export async function send(url: string, init: { method: string; headers: Record<string, string>; body?: string }, opts: TransportOptions): Promise<SentResponse> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const arm = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new LookoutError("LKT_ERR_REGISTRY_UNREACHABLE", `no answer from ${new URL(url).host} within ${ms} ms`, { retryable: true }));
    }, ms);
    timer.unref();
  };
  arm(opts.headersTimeoutMs ?? 30_000);
  const origin = new URL(url).origin;
  let current = url;
  try {
    for (let hop = 0; ; hop++) {
      const headers = { ...init.headers };
      if (new URL(current).origin !== origin) delete headers.Authorization;
      const res = await opts.request(current, { method: init.method, headers, ...(init.body !== undefined ? { body: init.body } : {}), signal: controller.signal });
      if (!REDIRECTS.has(res.status)) {
        arm(opts.readIdleTimeoutMs ?? 60_000);
        // refresh() restarts the same timer: cheap enough to call per body chunk. It would also
        // revive a cleared timer, hence the flag.
        const idle = timer!;
        let finished = false;
        const done = () => {
          finished = true;
          clearTimeout(idle);
        };
        return { res, controller, touch: () => void (finished || idle.refresh()), done };
      }
      discardBody(res);
      const loc = res.headers.get("location");
      if (!loc) throw new LookoutError("LKT_ERR_REGISTRY_HTTP", `redirect ${res.status} without Location`);
      if (hop + 1 > (opts.maxRedirects ?? 5)) throw new LookoutError("LKT_ERR_REGISTRY_HTTP", `more than ${opts.maxRedirects ?? 5} redirects`);
      const next = new URL(loc, current);
      if (new URL(current).protocol === "https:" && next.protocol !== "https:") {
        throw new LookoutError("LKT_ERR_REGISTRY_HTTP", `redirect from https to ${next.protocol} refused`);
      }
      if (next.protocol !== "https:" && next.protocol !== "http:") throw new LookoutError("LKT_ERR_REGISTRY_HTTP", `redirect to ${next.protocol} refused`);
      current = next.toString();
    }
  } catch (e) {
    clearTimeout(timer);
    if (e instanceof LookoutError) throw e;
    if (timedOut) throw controller.signal.reason as LookoutError;
    throw new LookoutError("LKT_ERR_REGISTRY_UNREACHABLE", `${new URL(current).host}: ${(e as Error).message}${causeText(e)}`, { cause: e, retryable: true });
  }
}

function causeText(e: unknown): string {
  const c = (e as { cause?: { code?: string; message?: string } }).cause;
  return c ? ` (${c.code ?? c.message ?? ""})` : "";
}

export function backoffDelay(attempt: number, base: number): number {
  return Math.round(base * 2 ** (attempt - 1) * (0.5 + Math.random() / 2));
}

export const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
