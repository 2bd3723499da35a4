import { spawn, type ChildProcess } from "node:child_process";
import { createServer, request, type Server } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listScans } from "@lookout/db";
import { JobQueue } from "@lookout/queue";
import { scanJobId } from "@lookout/domain";
import { pushWithSkopeo, startRegistry, waitUntil, writeOciLayout, type TestRegistry } from "@lookout/testkit";
import { startSystem, type System } from "../support/system.js";

const root = join(import.meta.dirname, "../..");
let registry: TestRegistry;
let proxy: Server;
let proxyHost: string;
let stallBlobs = true;
let blobGets = 0;
let sys: System;
let work: string;
const procs: ChildProcess[] = [];

/** A pass-through proxy to the registry that can hold blob downloads open (a slow layer). */
async function startProxy(target: string): Promise<Server> {
  const s = createServer((req, res) => {
    const forward = () => {
      const up = request(`http://${target}${req.url}`, { method: req.method, headers: { ...req.headers, host: target } }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on("error", () => res.destroy());
      req.pipe(up);
    };
    // The first blob fetched is the image config; the layers after it are held.
    const isBlob = req.method === "GET" && req.url?.includes("/blobs/");
    if (process.env.LOOKOUT_TEST_VERBOSE) console.log("proxy", req.method, req.url, blobGets);
    if (isBlob) blobGets++;
    if (stallBlobs && isBlob && blobGets > 1) {
      if (process.env.LOOKOUT_TEST_VERBOSE) console.log("proxy stalls", req.url);
      const t = setInterval(() => { if (!stallBlobs) { clearInterval(t); forward(); } }, 100);
      res.on("close", () => clearInterval(t));
    } else forward();
  });
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return s;
}

function spawnScanner(name: string): ChildProcess {
  const p = spawn(process.execPath, ["--import", "tsx", join(root, "services/scanner/src/main.ts")], {
    env: { ...process.env, ...sys.env, SCANNER_PORT: "0", SCANNER_LOCK_DURATION: "3s", SCANNER_STALLED_INTERVAL: "1s", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  (p as any).out = "";
  p.stdout!.on("data", (d) => { (p as any).out += d; if (process.env.LOOKOUT_TEST_VERBOSE) process.stderr.write(`[${name}] ${d}`); });
  p.stderr!.on("data", (d) => process.stderr.write(`[${name}] ${d}`));
  procs.push(p);
  return p;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "lk-crash-"));
  registry = await startRegistry();
  proxy = await startProxy(registry.host);
  proxyHost = `127.0.0.1:${(proxy.address() as { port: number }).port}`;
  sys = await startSystem({ registries: [{ id: "local", host: proxyHost, insecure: true }], services: [] });
}, 120_000);

afterAll(async () => {
  for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
  proxy?.closeAllConnections();
  proxy?.close();
  await registry?.stop();
  await sys?.stop();
  await rm(work, { recursive: true, force: true });
});

describe("scanner workers", () => {
  it("finish the scan of a worker killed with SIGKILL, exactly once", async () => {
    const { manifestDigest } = await writeOciLayout(join(work, "img"), "v1", { layers: [{ files: { "a.txt": "a" } }] });
    await pushWithSkopeo(join(work, "img"), "v1", `${registry.host}/crash/app:v1`);
    const queue = new JobQueue("scan", sys.infra.redis, sys.env.LOOKOUT_NAMESPACE);
    const image = { registry: proxyHost, repository: "crash/app", digest: manifestDigest, tag: "v1" };
    await queue.add({ image, sourceId: "local", reason: "push" }, { jobId: scanJobId(image), correlationId: "crash-test" });

    const a = spawnScanner("A");
    // A takes the job and stalls on the layer download.
    await waitUntil(async () => (await listScans(sys.db.db)).some((s) => s.status === "running"), "worker A to start the scan", 30_000)
      .catch((e) => { throw new Error(`${e.message}\n${(a as any).out}`); });
    a.kill("SIGKILL");
    await new Promise((r) => a.once("exit", r));
    stallBlobs = false;
    spawnScanner("B");
    const done = await waitUntil(async () => (await listScans(sys.db.db)).find((s) => s.status === "succeeded"), "worker B to finish", 45_000);
    expect(done.digest).toBe(manifestDigest);
    const scans = await listScans(sys.db.db);
    if (process.env.LOOKOUT_TEST_VERBOSE) console.log(JSON.stringify(scans, null, 1));
    expect(scans.filter((s) => s.status === "succeeded")).toHaveLength(1);
    expect(scans.find((s) => s.status !== "succeeded")).toMatchObject({ status: "failed", error: expect.stringContaining("worker lost") });
    const job = await queue.queue.getJob(scanJobId(image));
    expect(await job?.getState()).toBe("completed");
    expect(await sys.infra.bus.streamMessages()).toBe(1); // one scan.completed
    await queue.close();
  });

  it("drains and exits within the grace period on SIGTERM", async () => {
    const p = spawnScanner("C");
    await waitUntil(async () => (p as any).out.includes("scanner listening"), "scanner C up", 30_000);
    const t = Date.now();
    p.kill("SIGTERM");
    const code = await new Promise((r) => p.once("exit", (c) => r(c)));
    expect(code).toBe(0);
    expect(Date.now() - t).toBeLessThan(10_000);
  });

  it("refuses to start on a bad setting with one line naming it", async () => {
    const p = spawn(process.execPath, ["--import", "tsx", join(root, "services/scanner/src/main.ts")], {
      env: { ...process.env, ...sys.env, SCANNER_CONCURRENCY: "lots", REDIS_URL: "not a url" }, stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    p.stderr!.on("data", (d) => (err += d));
    const code = await new Promise((r) => p.once("exit", (c) => r(c)));
    expect(code).toBe(2);
    expect(err.trim().split("\n").sort()).toEqual([
      "scanner: config: REDIS_URL must be a URL like http://host:port",
      "scanner: config: SCANNER_CONCURRENCY must be a whole number from 1 to 64",
    ]);
  });
});
