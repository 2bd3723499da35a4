import { LookoutError } from "@lookout/domain";
import type { FetchLike } from "../../fetch/download.js";
import { MalformedNvdResponse, parseNvdCve, type NvdAnswer } from "./parse.js";
import { abortableSleep, type RollingWindow } from "./rate-limit.js";

/** One CVE answer is a few KiB; anything near this is not what we asked for. */
const MAX_BODY = 2 * 1024 * 1024;
/** NVD answers 403 (public rate limit), 429 and 503 when busy: wait and try again. */
const RETRY = new Set([403, 429, 500, 502, 503, 504]);

export interface NvdClientOptions {
  /** e.g. https://services.nvd.nist.gov (no trailing path). */
  baseUrl: string;
  apiKey?: string | undefined;
  fetch: FetchLike;
  limiter: RollingWindow;
  /** Tries per CVE, first included (default 4). */
  attempts?: number;
  /** First retry delay, doubled each time, unless the server sends Retry-After (default 6 s, NVD's advice). */
  backoffMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * NVD API 2.0 for one CVE at a time. Throws MalformedNvdResponse for a 200 that is not the API's
 * shape (the caller skips the CVE and counts it), and LookoutError LKT_ERR_FEED_FETCH when NVD
 * still refuses after the retries (retryable) or answers something no retry fixes (not).
 */
export class NvdClient {
  private readonly base: string;
  constructor(private readonly o: NvdClientOptions) {
    this.base = o.baseUrl.replace(/\/+$/, "");
  }

  async cve(cveId: string, signal: AbortSignal): Promise<NvdAnswer> {
    const url = `${this.base}/rest/json/cves/2.0?cveId=${encodeURIComponent(cveId)}`;
    const attempts = this.o.attempts ?? 4;
    const sleep = this.o.sleep ?? abortableSleep;
    let last = "";
    for (let attempt = 1; attempt <= attempts; attempt++) {
      await this.o.limiter.acquire(signal);
      let res: Response;
      try {
        res = await this.o.fetch(url, {
          headers: { accept: "application/json", ...(this.o.apiKey ? { apiKey: this.o.apiKey } : {}) },
          signal: AbortSignal.any([signal, AbortSignal.timeout(this.o.timeoutMs ?? 30_000)]),
        });
      } catch (e) {
        if (signal.aborted) throw signal.reason;
        last = (e as Error).message;
        if (attempt < attempts) await sleep(this.delay(attempt), signal);
        continue;
      }
      if (res.ok) return parseNvdCve(await readJson(res), cveId);
      await res.body?.cancel().catch(() => {});
      last = `HTTP ${res.status}`;
      if (!RETRY.has(res.status)) throw new LookoutError("LKT_ERR_FEED_FETCH", `nvd: ${cveId}: answered ${res.status}`, { status: res.status });
      if (attempt < attempts) await sleep(this.delay(attempt, res.headers.get("retry-after")), signal);
    }
    throw new LookoutError("LKT_ERR_FEED_FETCH", `nvd: ${cveId}: ${last} after ${attempts} attempts (rate limited or unavailable)`, { retryable: true });
  }

  private delay(attempt: number, retryAfter?: string | null): number {
    const s = retryAfter && /^\d{1,4}$/.test(retryAfter.trim()) ? Number(retryAfter) * 1000 : undefined;
    return Math.min(s ?? (this.o.backoffMs ?? 6_000) * 2 ** (attempt - 1), 120_000);
  }
}

async function readJson(res: Response): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res.body ?? []) {
    size += (c as Uint8Array).byteLength;
    if (size > MAX_BODY) throw new MalformedNvdResponse(`body over ${MAX_BODY} bytes`);
    chunks.push(Buffer.from(c as Uint8Array));
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (e) {
    throw new MalformedNvdResponse(`invalid JSON: ${(e as Error).message.slice(0, 120)}`);
  }
}
