import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import yazl from "yazl";

/** What one path serves; `truncateAt` sends that many bytes of the body and then drops the connection. */
export interface Served {
  body: Buffer;
  truncateAt?: number;
}

/**
 * A local feed mirror for tests: serves `files` by path with a strong ETag, answers 304 to a
 * matching If-None-Match, and counts requests per path.
 */
export class FeedServer {
  readonly files = new Map<string, Served>();
  readonly requests = new Map<string, number>();
  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<FeedServer> {
    const ref: { self?: FeedServer } = {};
    const server = createServer((req, res) => {
      const self = ref.self;
      const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
      self!.requests.set(path, (self!.requests.get(path) ?? 0) + 1);
      const f = self!.files.get(path);
      if (!f) {
        res.writeHead(404).end();
        return;
      }
      const etag = `"${createHash("sha256").update(f.body).digest("hex").slice(0, 16)}"`;
      if (req.headers["if-none-match"] === etag) {
        res.writeHead(304, { etag }).end();
        return;
      }
      res.writeHead(200, { etag, "content-length": f.body.length, "content-type": "application/octet-stream" });
      if (f.truncateAt !== undefined) {
        res.write(f.body.subarray(0, f.truncateAt), () => setTimeout(() => res.socket?.destroy(), 20));
        return;
      }
      res.end(f.body);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    ref.self = new FeedServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return ref.self;
  }

  count(path: string): number {
    return this.requests.get(path) ?? 0;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** A zip of `entries` (name → content), deflated, built in memory (test inputs are small). */
export function buildZip(entries: Record<string, string | Buffer>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(entries)) zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content), name, { mtime: new Date(0) });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on("data", (c: Buffer) => chunks.push(c)).on("end", () => resolve(Buffer.concat(chunks))).on("error", reject);
  });
}

/** SYNTHETIC OSV records (generated, for volume): one PyPI package each, fixed at 1.0.<i>. */
export function syntheticOsv(i: number, prefix = "LKT-SYN"): string {
  return JSON.stringify({
    id: `${prefix}-${i}`, modified: "2024-01-01T00:00:00Z", aliases: [`CVE-2099-${100000 + i}`], summary: `synthetic advisory ${i}`,
    affected: [{ package: { ecosystem: "PyPI", name: `synthetic-pkg-${i % 5000}` }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: `1.0.${i}` }] }] }],
  });
}
