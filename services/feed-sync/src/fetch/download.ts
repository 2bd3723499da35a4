import { createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { LookoutError } from "@lookout/domain";

/** The subset of `fetch` the feeds use; injectable so tests and air-gapped installs control egress. */
export type FetchLike = (url: string, init: { headers: Record<string, string>; signal: AbortSignal }) => Promise<Response>;

/** What the previous successful fetch of a feed answered (feed_state). */
export interface Validators {
  etag?: string | null;
  lastModified?: string | null;
}

/**
 * `unchanged`: the feed answered "not modified" (or a local file has the same size and mtime).
 * `file`: the body, on disk; `cleanup` removes it (a no-op for local files).
 */
export type Download =
  | { kind: "unchanged" }
  | { kind: "file"; path: string; bytes: number; validators: Validators; cleanup(): Promise<void> };

export interface DownloadOptions {
  fetch: FetchLike;
  signal: AbortSignal;
  /** Where the temporary copy goes (a fresh folder under it is removed by `cleanup`). */
  tmpDir: string;
  maxBytes: number;
  previous?: Validators | undefined;
  /** Bytes received so far, and the announced total when known. */
  onProgress?: (bytes: number, total?: number) => void;
}

const fetchError = (url: string, why: string, cause?: unknown, retryable = true) =>
  new LookoutError("LKT_ERR_FEED_FETCH", `${redact(url)}: ${why}`, { cause, retryable });

/** URLs are logged and stored in errors: never their credentials or query (API keys). */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    u.search = "";
    return u.toString();
  } catch {
    return "(invalid url)";
  }
}

/**
 * Fetch one feed file with a conditional request. The body is streamed to a temp file (never held
 * in memory) and refused past `maxBytes`. `file://` URLs are read in place; their validator is
 * size + mtime, so an untouched mirror folder also costs nothing.
 */
export async function download(url: string, o: DownloadOptions): Promise<Download> {
  if (url.startsWith("file:")) return localFile(url, o);
  const headers: Record<string, string> = { "user-agent": "lookout-feed-sync" };
  if (o.previous?.etag) headers["if-none-match"] = o.previous.etag;
  if (o.previous?.lastModified) headers["if-modified-since"] = o.previous.lastModified;
  let res: Response;
  try {
    res = await o.fetch(url, { headers, signal: o.signal });
  } catch (e) {
    if (o.signal.aborted) throw new LookoutError("LKT_ERR_ABORTED", `${redact(url)}: download cancelled`, { cause: o.signal.reason });
    throw fetchError(url, `request failed: ${(e as Error).message}`, e);
  }
  if (res.status === 304) {
    await res.body?.cancel();
    return { kind: "unchanged" };
  }
  if (res.status !== 200 || !res.body) {
    await res.body?.cancel();
    throw fetchError(url, `answered HTTP ${res.status}`, undefined, res.status >= 500 || res.status === 429);
  }
  const total = Number(res.headers.get("content-length") ?? NaN);
  if (Number.isFinite(total) && total > o.maxBytes) {
    await res.body.cancel();
    throw fetchError(url, `announces ${total} bytes, over the ${o.maxBytes}-byte cap`, undefined, false);
  }
  const dir = await mkdtemp(join(o.tmpDir, "lk-feed-"));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, "body");
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      if (bytes > o.maxBytes) return cb(fetchError(url, `body over the ${o.maxBytes}-byte cap`, undefined, false));
      o.onProgress?.(bytes, Number.isFinite(total) ? total : undefined);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as import("node:stream/web").ReadableStream), counter, createWriteStream(path), { signal: o.signal });
  } catch (e) {
    await cleanup();
    if (o.signal.aborted) throw new LookoutError("LKT_ERR_ABORTED", `${redact(url)}: download cancelled`, { cause: o.signal.reason });
    if (e instanceof LookoutError) throw e;
    throw fetchError(url, `download broke off after ${bytes} bytes: ${(e as Error).message}`, e);
  }
  if (Number.isFinite(total) && bytes !== total) {
    await cleanup();
    throw fetchError(url, `download truncated: ${bytes} of ${total} bytes`);
  }
  return { kind: "file", path, bytes, cleanup, validators: { etag: res.headers.get("etag"), lastModified: res.headers.get("last-modified") } };
}

async function localFile(url: string, o: DownloadOptions): Promise<Download> {
  const path = fileURLToPath(url);
  const st = await stat(path).catch((e: unknown) => {
    throw fetchError(url, "no such file", e, false);
  });
  if (!st.isFile()) throw fetchError(url, "not a file", undefined, false);
  if (st.size > o.maxBytes) throw fetchError(url, `${st.size} bytes, over the ${o.maxBytes}-byte cap`, undefined, false);
  const etag = `"local-${st.size}-${Math.floor(st.mtimeMs)}"`;
  if (o.previous?.etag === etag) return { kind: "unchanged" };
  o.onProgress?.(st.size, st.size);
  return { kind: "file", path, bytes: st.size, cleanup: async () => {}, validators: { etag, lastModified: null } };
}
