import http from "node:http";
import type { AddressInfo } from "node:net";

/** One scripted answer; "hang" never answers (the socket stays open until close()). */
export type ScriptedResponse = { status: number; body?: string; headers?: Record<string, string> } | "hang";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

/**
 * A local HTTP endpoint standing in for Slack or a webhook consumer in tests. Each path has a
 * script of answers consumed in order (the last one repeats); unscripted paths answer 200 "ok".
 * Listens on 127.0.0.1 with a free port.
 */
export interface FakeHttpReceiver {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** TCP connections accepted so far (keep-alive reuse shows as few connections). */
  connections(): number;
  script(path: string, answers: ScriptedResponse[]): void;
  /** Requests received on one path. */
  on(path: string): ReceivedRequest[];
  close(): Promise<void>;
}

export async function startHttpReceiver(opts: { maxBodyBytes?: number } = {}): Promise<FakeHttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const scripts = new Map<string, ScriptedResponse[]>();
  const max = opts.maxBodyBytes ?? 1 << 20;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= max) chunks.push(c);
    });
    req.on("end", () => {
      const path = (req.url ?? "/").split("?", 1)[0]!;
      requests.push({ method: req.method ?? "", path, headers: req.headers, body: Buffer.concat(chunks), at: Date.now() });
      const script = scripts.get(path);
      const answer: ScriptedResponse = script && script.length ? (script.length > 1 ? script.shift()! : script[0]!) : { status: 200, body: "ok" };
      if (answer === "hang") return;
      res.writeHead(answer.status, { "content-type": "text/plain", ...answer.headers });
      res.end(answer.body ?? "");
    });
  });
  let connections = 0;
  server.on("connection", () => connections++);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    script: (path, answers) => void scripts.set(path, [...answers]),
    on: (path) => requests.filter((r) => r.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
