import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createNetServer } from "node:net";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Received {
  at: number;
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
  json?: unknown;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Answer the next requests with these (status, headers, body) before falling back to 200 "ok". */
  script: { status: number; headers?: Record<string, string>; body?: string; delayMs?: number }[];
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** A local HTTP server that records requests: stands in for Slack and webhook receivers. */
export async function startReceiver(opts: { path?: string } = {}): Promise<Receiver> {
  const received: Received[] = [];
  const script: Receiver["script"] = [];
  const waiters: (() => void)[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const step = script.shift();
      const finish = () => {
        if (!step || (step.status >= 200 && step.status < 300)) {
          let json: unknown;
          try { json = JSON.parse(body.toString("utf8")); } catch { /* not JSON */ }
          received.push({ at: Date.now(), method: req.method ?? "", url: req.url ?? "", headers: req.headers, body, json });
          for (const w of waiters.splice(0)) w();
        }
        res.writeHead(step?.status ?? 200, { "content-type": "text/plain", ...(step?.headers ?? {}) });
        res.end(step?.body ?? "ok");
      };
      if (step?.delayMs) setTimeout(finish, step.delayMs);
      else finish();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}${opts.path ?? "/"}`,
    received,
    script,
    async waitFor(n, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`receiver: expected ${n} requests, got ${received.length} within ${timeoutMs} ms`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, Math.min(left, 200));
          waiters.push(() => { clearTimeout(t); r(); });
        });
      }
      return received;
    },
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

export async function waitUntil<T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}
