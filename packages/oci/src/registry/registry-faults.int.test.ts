import { readdir, mkdtemp, rm, writeFile, readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createNetServer, type Socket, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLookoutError } from "@lookout/domain";
import { scanLayer } from "../layer/scan-layer.js";
import { MT } from "../media-types.js";
import { pushRaw, skopeoPush, startRegistry, writeOciLayout, type RunningRegistry, codeOf } from "../testing/index.js";
import { RegistryClient } from "./client.js";

let dir: string;
let reg: RunningRegistry;
let storage: string;
const servers: Server[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lkt-reg-faults-"));
  storage = join(dir, "storage");
  reg = await startRegistry(dir, "anon", storage, { kind: "none" });
  await writeOciLayout(join(dir, "multi"), "v1", [
    { layers: [{ entries: [{ name: "etc/arch", content: "amd64\n" }] }] },
    { platform: { os: "linux", architecture: "arm64", variant: "v8" }, layers: [{ compression: "zstd", entries: [{ name: "etc/arch", content: "arm64\n" }] }] },
  ]);
  await skopeoPush(join(dir, "multi"), "v1", `${reg.host}/multi:v1`, true);
  await writeOciLayout(join(dir, "single"), "v1", [{ layers: [{ entries: [{ name: "etc/a", content: Buffer.alloc(300_000, 7) }] }, { entries: [{ name: "etc/b", content: "b" }] }] }]);
  await skopeoPush(join(dir, "single"), "v1", `${reg.host}/single:v1`);
}, 60_000);

afterAll(async () => {
  for (const s of servers) s.close();
  await reg?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function listen(handler: (req: IncomingMessage, res: import("node:http").ServerResponse) => void): Promise<string> {
  const s = createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return `127.0.0.1:${(s.address() as AddressInfo).port}`;
}

/** Forward a request to the real registry. */
async function forward(req: IncomingMessage, res: import("node:http").ServerResponse, path = req.url!): Promise<void> {
  const up = await fetch(`http://${reg.host}${path}`, { method: req.method, headers: { accept: req.headers.accept ?? "*/*" } });
  const headers: Record<string, string> = {};
  up.headers.forEach((v, k) => (headers[k] = v));
  res.writeHead(up.status, headers).end(Buffer.from(await up.arrayBuffer()));
}

const anonClient = (host: string, extra: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}) =>
  new RegistryClient({ registries: [{ host, insecure: true }], ...extra });

describe("registry client faults", () => {
  it("picks linux/amd64 from a multi-platform index by default, another platform, or all", async () => {
    const c = anonClient(reg.host);
    const ref = { registry: reg.host, repository: "multi", tag: "v1" };
    const def = await c.resolve(ref);
    expect(def.kind === "images" && def.images.map((i) => i.platform?.architecture)).toEqual(["amd64"]);
    const arm = await c.resolve(ref, { platform: { os: "linux", architecture: "arm64" } });
    expect(arm.kind === "images" && arm.images[0]!.layers[0]!.mediaType).toBe(MT.ociManifest.replace("manifest.v1+json", "layer.v1.tar+zstd"));
    const all = await c.resolve(ref, { platform: "all" });
    expect(all.kind === "images" && all.images.length).toBe(2);
    expect(all.kind === "images" && all.indexDigest).toMatch(/^sha256:/);
    expect(await codeOf(c.resolve(ref, { platform: { os: "linux", architecture: "s390x" } }))).toBe("LKT_ERR_PLATFORM_NOT_FOUND");
  });

  it("picks a platform from a Docker manifest list (skopeo --all --format v2s2)", async () => {
    await writeOciLayout(join(dir, "multi-gz"), "v1", [
      { layers: [{ entries: [{ name: "etc/arch", content: "amd64\n" }] }] },
      { platform: { os: "linux", architecture: "arm64" }, layers: [{ entries: [{ name: "etc/arch", content: "arm64\n" }] }] },
    ]);
    await skopeoPush(join(dir, "multi-gz"), "v1", `${reg.host}/dockerlist:v1`, true, "v2s2");
    const c = anonClient(reg.host);
    const r = await c.resolve({ registry: reg.host, repository: "dockerlist", tag: "v1" }, { platform: { os: "linux", architecture: "arm64" } });
    if (r.kind !== "images") throw new Error("want image");
    const top = await c.store(reg.host, "dockerlist").getManifest("v1");
    expect(JSON.parse(top.bytes.toString()).mediaType).toBe(MT.dockerList);
    expect(r.images[0]!.platform).toEqual({ os: "linux", architecture: "arm64" });
    expect(r.images[0]!.manifest.mediaType).toBe(MT.dockerManifest);
  });

  it("pulls a Docker v2 schema 2 image (skopeo --format v2s2)", async () => {
    await skopeoPush(join(dir, "single"), "v1", `${reg.host}/dockerfmt:v1`, false, "v2s2");
    const r = await anonClient(reg.host).resolve({ registry: reg.host, repository: "dockerfmt", tag: "v1" });
    if (r.kind !== "images") throw new Error("want image");
    const img = r.images[0]!;
    expect(img.manifest.mediaType).toBe(MT.dockerManifest);
    expect(img.layers.map((l) => l.mediaType)).toEqual(["application/vnd.docker.image.rootfs.diff.tar.gzip", "application/vnd.docker.image.rootfs.diff.tar.gzip"]);
    const out = await scanLayer(await img.openLayer(img.layers[1]!), { digest: img.layers[1]!.digest, mediaType: img.layers[1]!.mediaType, wants: () => true, scratchDir: join(dir, "v2s2") });
    expect([...out.files.keys()]).toEqual(["/etc/b"]);
  });

  it("reports an OCI artifact as not an image", async () => {
    const cfg = Buffer.from("{}");
    const chart = Buffer.from("not really a chart");
    const { sha256Digest } = await import("../digest.js");
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MT.ociManifest,
        config: { mediaType: "application/vnd.cncf.helm.config.v1+json", digest: sha256Digest(cfg), size: cfg.length },
        layers: [{ mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", digest: sha256Digest(chart), size: chart.length }],
      }),
    );
    const digest = await pushRaw(reg.host, "charts/web", "1.0.0", [cfg, chart], manifest, MT.ociManifest);
    const r = await anonClient(reg.host).resolve({ registry: reg.host, repository: "charts/web", tag: "1.0.0" });
    expect(r).toEqual({ kind: "not-an-image", manifestDigest: digest, artifactType: "application/vnd.cncf.helm.config.v1+json" });
  });

  it("a hanging registry gives a retryable typed error within the timeouts", async () => {
    const sockets: Socket[] = [];
    const hang = createNetServer((s) => sockets.push(s));
    await new Promise<void>((r) => hang.listen(0, "127.0.0.1", r));
    const host = `127.0.0.1:${(hang.address() as AddressInfo).port}`;
    const t0 = Date.now();
    const err = await anonClient(host, { headersTimeoutMs: 300, attempts: 2, backoffMs: 10 })
      .resolve({ registry: host, repository: "x", tag: "v1" })
      .catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_REGISTRY_UNREACHABLE") && err.retryable).toBe(true);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(sockets.length).toBe(2); // one connection per attempt
    sockets.forEach((s) => s.destroy());
    hang.close();
  });

  it("a body that stalls mid-stream trips the read timeout", async () => {
    const base = await anonClient(reg.host).resolve({ registry: reg.host, repository: "single", tag: "v1" });
    const layerDigest = base.kind === "images" ? base.images[0]!.layers[0]!.digest : "?";
    const host = await listen((req, res) => {
      if (req.url!.endsWith(layerDigest)) {
        res.writeHead(200, { "content-length": "1000000" });
        res.write(Buffer.alloc(100)); // then silence
        return;
      }
      void forward(req, res, req.url!.replace("/v2/stall/", "/v2/single/"));
    });
    const r = await anonClient(host, { readIdleTimeoutMs: 300, attempts: 1 }).resolve({ registry: host, repository: "stall", tag: "v1" });
    if (r.kind !== "images") throw new Error("want image");
    const l = r.images[0]!.layers[0]!;
    const code = await codeOf(scanLayer(await r.images[0]!.openLayer(l), { digest: l.digest, mediaType: l.mediaType, wants: () => true, scratchDir: join(dir, "stall") }));
    expect(code).toBe("LKT_ERR_REGISTRY_UNREACHABLE");
  });

  it("a body cut short (connection closed before Content-Length) is a retryable typed error", async () => {
    const base = await anonClient(reg.host).resolve({ registry: reg.host, repository: "single", tag: "v1" });
    const layerDigest = base.kind === "images" ? base.images[0]!.layers[0]!.digest : "?";
    const host = await listen((req, res) => {
      if (req.url!.endsWith(layerDigest)) {
        res.writeHead(200, { "content-length": "1000000" });
        res.write(Buffer.alloc(100), () => res.socket?.destroy());
        return;
      }
      void forward(req, res, req.url!.replace("/v2/cut/", "/v2/single/"));
    });
    const r = await anonClient(host, { attempts: 1 }).resolve({ registry: host, repository: "cut", tag: "v1" });
    if (r.kind !== "images") throw new Error("want image");
    const l = r.images[0]!.layers[0]!;
    const err = await scanLayer(await r.images[0]!.openLayer(l), { digest: l.digest, mediaType: l.mediaType, wants: () => true, scratchDir: join(dir, "cut") }).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_REGISTRY_UNREACHABLE") && err.retryable).toBe(true);
  });

  it("caps a manifest sent without Content-Length while it streams", async () => {
    let sent = 0;
    const host = await listen((req, res) => {
      if (req.url!.includes("/manifests/")) {
        // Chunked, no length: the cap must trip on the bytes, and the client must stop reading.
        res.writeHead(200, { "content-type": MT.ociManifest });
        const pump = () => {
          while (sent < 64 << 20 && res.write(Buffer.alloc(64 << 10, 0x20))) sent += 64 << 10;
          if (sent < 64 << 20) res.once("drain", pump);
          else res.end();
        };
        pump();
        return;
      }
      void forward(req, res);
    });
    const err = await anonClient(host, { maxManifestBytes: 1 << 20 })
      .resolve({ registry: host, repository: "huge", tag: "v1" })
      .catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_MANIFEST_TOO_LARGE")).toBe(true);
    expect(sent).toBeLessThan(32 << 20);
  });

  it("reuses one keep-alive connection for sequential requests", async () => {
    const conns = new Set<unknown>();
    const host = await listen((req, res) => {
      conns.add(req.socket);
      void forward(req, res, req.url!.replace("/v2/ka/", "/v2/single/"));
    });
    const c = anonClient(host);
    const r = await c.resolve({ registry: host, repository: "ka", tag: "v1" });
    if (r.kind !== "images") throw new Error("want image");
    for (const l of r.images[0]!.layers) {
      const out = await scanLayer(await r.images[0]!.openLayer(l), { digest: l.digest, mediaType: l.mediaType, wants: () => true, scratchDir: join(dir, "ka", l.digest.slice(7, 15)) });
      expect(out.files.size).toBe(1);
    }
    // manifest, config, two layers: one connection.
    expect(conns.size).toBe(1);
  });

  it("a 401 and a 404 body do not leak into the next request on the same connection", async () => {
    let n = 0;
    const host = await listen((req, res) => {
      if (n++ === 0) {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN" }] }));
        return;
      }
      void forward(req, res, req.url!.replace("/v2/seq/", "/v2/single/"));
    });
    const c = anonClient(host);
    expect(await codeOf(c.resolve({ registry: host, repository: "seq", tag: "v1" }))).toBe("LKT_ERR_BLOB_NOT_FOUND");
    const r = await c.resolve({ registry: host, repository: "seq", tag: "v1" });
    expect(r.kind).toBe("images");
  });

  it("honours Retry-After on 429/503 and then succeeds", async () => {
    let n = 0;
    const host = await listen((req, res) => {
      if (n++ < 2) {
        res.writeHead(n === 1 ? 429 : 503, { "retry-after": "2" }).end();
        return;
      }
      void forward(req, res, req.url!.replace("/v2/busy/", "/v2/single/"));
    });
    const slept: number[] = [];
    const c = anonClient(host, { sleep: async (ms) => void slept.push(ms) });
    const r = await c.resolve({ registry: host, repository: "busy", tag: "v1" });
    expect(r.kind).toBe("images");
    expect(slept).toEqual([2000, 2000]);
  });

  it("HEAD falls back to GET when the registry omits Docker-Content-Digest", async () => {
    const host = await listen(async (req, res) => {
      const up = await fetch(`http://${reg.host}${req.url!.replace("/v2/nodigest/", "/v2/single/")}`, { method: req.method, headers: { accept: req.headers.accept ?? "*/*" } });
      const headers: Record<string, string> = {};
      up.headers.forEach((v, k) => k !== "docker-content-digest" && (headers[k] = v));
      res.writeHead(up.status, headers).end(Buffer.from(await up.arrayBuffer()));
    });
    const want = await anonClient(reg.host).headDigest({ registry: reg.host, repository: "single", tag: "v1" });
    expect(await anonClient(host).headDigest({ registry: host, repository: "nodigest", tag: "v1" })).toBe(want);
  });

  it("gives up after the attempt budget with a retryable error carrying Retry-After", async () => {
    const host = await listen((_req, res) => void res.writeHead(503, { "retry-after": "1" }).end());
    const err = await anonClient(host, { attempts: 2, sleep: async () => {} })
      .resolve({ registry: host, repository: "down", tag: "v1" })
      .catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_REGISTRY_HTTP") && err.retryable && err.retryAfterMs).toBe(1000);
  });

  it("follows a blob redirect to another origin without sending the Authorization header there", async () => {
    const seenAuth: (string | undefined)[] = [];
    const cdn = await listen((req, res) => {
      seenAuth.push(req.headers.authorization);
      void forward(req, res, req.url!.replace("/cdn/", "/v2/single/blobs/"));
    });
    const cdnPort = cdn.split(":")[1];
    let frontAuthorized = 0;
    const front = await listen((req, res) => {
      if (req.headers.authorization !== "Basic " + Buffer.from("u:p").toString("base64")) {
        res.writeHead(401, { "www-authenticate": 'Basic realm="front"' }).end();
        return;
      }
      frontAuthorized++;
      const m = /\/blobs\/(sha256:[a-f0-9]+)$/.exec(req.url!);
      // "localhost" vs "127.0.0.1": a different origin on the same machine.
      if (m) res.writeHead(307, { location: `http://localhost:${cdnPort}/cdn/${m[1]}` }).end();
      else void forward(req, res, req.url!.replace("/v2/front/", "/v2/single/"));
    });
    const c = new RegistryClient({ registries: [{ host: front, insecure: true, username: "u", password: "p" }] });
    const r = await c.resolve({ registry: front, repository: "front", tag: "v1" });
    if (r.kind !== "images") throw new Error("want image");
    const l = r.images[0]!.layers[0]!;
    const out = await scanLayer(await r.images[0]!.openLayer(l), { digest: l.digest, mediaType: l.mediaType, wants: () => true, scratchDir: join(dir, "redirect") });
    expect(out.files.get("/etc/a")!.size).toBe(300_000);
    expect(seenAuth.length).toBeGreaterThan(0);
    expect(seenAuth.every((a) => a === undefined)).toBe(true);
    expect(frontAuthorized).toBeGreaterThan(1);
  });

  it("stops a redirect loop at the cap", async () => {
    const base = await anonClient(reg.host).resolve({ registry: reg.host, repository: "single", tag: "v1" });
    const layerDigest = base.kind === "images" ? base.images[0]!.layers[0]!.digest : "?";
    const host = await listen((req, res) => {
      if (req.url!.endsWith(layerDigest)) res.writeHead(302, { location: req.url! }).end();
      else void forward(req, res, req.url!.replace("/v2/loop/", "/v2/single/"));
    });
    const c = anonClient(host, { maxRedirects: 3 });
    const r = await c.resolve({ registry: host, repository: "loop", tag: "v1" });
    if (r.kind !== "images") throw new Error("want image");
    const err = await r.images[0]!.openLayer(r.images[0]!.layers[0]!).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_REGISTRY_HTTP") && err.message).toMatch(/more than 3 redirects/);
  });

  it("bounds concurrent blob streams per registry", async () => {
    const c = new RegistryClient({ registries: [{ host: reg.host, insecure: true, maxConcurrency: 1 }] });
    const r = await c.resolve({ registry: reg.host, repository: "single", tag: "v1" });
    if (r.kind !== "images") throw new Error("want image");
    const [a, b] = r.images[0]!.layers;
    const first = await r.images[0]!.openLayer(a!);
    let secondOpened = false;
    const second = r.images[0]!.openLayer(b!).then((s) => ((secondOpened = true), s));
    await new Promise((res) => setTimeout(res, 200));
    expect(secondOpened).toBe(false);
    first.resume();
    await new Promise((res) => first.on("close", res));
    (await second).resume();
    expect(secondOpened).toBe(true);
  });

  it("detects a blob whose stored bytes were tampered with (digest mismatch at the end of the stream)", async () => {
    // Pushed raw: skopeo would compress an uncompressed layer.
    const w = await writeOciLayout(join(dir, "tamper"), "v1", [{ layers: [{ compression: "none", entries: [{ name: "etc/t", content: "original content\n" }] }] }]);
    const cfgDesc = JSON.parse(w[0]!.manifestBytes.toString()).config;
    const cfg = await readFile(join(dir, "tamper/blobs/sha256", cfgDesc.digest.slice(7)));
    await pushRaw(reg.host, "tamper", "v1", [cfg, w[0]!.layerBlobs[0]!], w[0]!.manifestBytes, MT.ociManifest);
    const c = anonClient(reg.host);
    const r = await c.resolve({ registry: reg.host, repository: "tamper", tag: "v1" });
    if (r.kind !== "images") throw new Error("want image");
    const l = r.images[0]!.layers[0]!;
    const hex = l.digest.slice(7);
    const data = join(storage, "docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data");
    const bytes = await readFile(data);
    const at = bytes.indexOf("original");
    bytes.write("ORIGINAL", at);
    await writeFile(data, bytes);
    expect(await readdir(join(storage, "docker/registry/v2/blobs/sha256", hex.slice(0, 2)))).toContain(hex);
    const code = await codeOf(scanLayer(await r.images[0]!.openLayer(l), { digest: l.digest, mediaType: l.mediaType, wants: () => true, scratchDir: join(dir, "tamper-scan") }));
    expect(code).toBe("LKT_ERR_DIGEST_MISMATCH");
  });
});

describe("registry client over TLS", () => {
  let cert: string;
  let tlsHost: string;
  let plainPort: number;
  const seen: string[] = [];
  let downgrade = false;

  beforeAll(async () => {
    const { execFile } = await import("node:child_process");
    const { promisify } = await import("node:util");
    await promisify(execFile)("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "tls.key"), "-out", join(dir, "tls.crt"), "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"]);
    cert = await readFile(join(dir, "tls.crt"), "utf8");
    const plain = await listen((req, res) => {
      seen.push(`plain ${req.url}`);
      void forward(req, res, req.url!.replace("/v2/tls/", "/v2/single/"));
    });
    plainPort = Number(plain.split(":")[1]);
    const { createServer: createHttpsServer } = await import("node:https");
    const s = createHttpsServer({ key: await readFile(join(dir, "tls.key")), cert }, (req, res) => {
      seen.push(`tls ${req.url}`);
      // Blobs are "moved" to plain http: a downgrade the client must refuse.
      if (downgrade && req.url!.includes("/blobs/")) {
        res.writeHead(307, { location: `http://localhost:${plainPort}${req.url}` }).end();
        return;
      }
      void forward(req, res, req.url!.replace("/v2/tls/", "/v2/single/"));
    });
    servers.push(s as unknown as Server);
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    tlsHost = `localhost:${(s.address() as AddressInfo).port}`;
  });

  it("speaks https with a trusted CA, refuses an untrusted certificate, and never follows https to http", async () => {
    const { nodeRequester } = await import("./http.js");
    const trusted = new RegistryClient({ registries: [{ host: tlsHost }], request: nodeRequester({ ca: cert }), attempts: 1 });
    const r = await trusted.resolve({ registry: tlsHost, repository: "tls", tag: "v1" });
    if (r.kind !== "images") throw new Error("want image");
    expect(seen.some((s) => s.startsWith("tls /v2/tls/manifests/"))).toBe(true);
    downgrade = true;
    const err = await r.images[0]!.openLayer(r.images[0]!.layers[0]!).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_REGISTRY_HTTP") && err.message).toMatch(/https to http: refused/);
    expect(seen.filter((s) => s.startsWith("plain"))).toEqual([]);
    const untrusted = new RegistryClient({ registries: [{ host: tlsHost }], attempts: 1 });
    const bad = await untrusted.resolve({ registry: tlsHost, repository: "tls", tag: "v1" }).catch((e: unknown) => e);
    expect(isLookoutError(bad, "LKT_ERR_REGISTRY_UNREACHABLE") && bad.message).toMatch(/certificate/);
  });
});
