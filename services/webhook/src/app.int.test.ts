import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Bus } from "@lookout/bus";
import { createWorker, JobQueue, redisConnection, type Redis } from "@lookout/queue";
import { silentLogger } from "@lookout/log";
import { createMetrics } from "@lookout/service-kit";
import { LookoutError, type Envelope, type ImageDeleted } from "@lookout/domain";
import { buildWebhookApp } from "./app.js";

const body = readFileSync(join(import.meta.dirname, "../testdata/push-manifest-debian-bookworm.json"));
const blobBody = readFileSync(join(import.meta.dirname, "../testdata/push-blob-layer.json"));
const deleteBody = readFileSync(join(import.meta.dirname, "../testdata/delete-manifest-by-digest.json"));
const TOKEN = "eval-webhook-token";
const ns = `wh${randomBytes(4).toString("hex")}`;

let bus: Bus;
let redis: Redis;
let queue: JobQueue<"scan">;
let app: ReturnType<typeof buildWebhookApp>;
/** Digests "the database" holds (the webhook's imageKnown). */
const known = new Set<string>();

const headers = (extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${TOKEN}`, "content-type": "application/vnd.docker.distribution.events.v1+json", ...extra,
});
const streamCount = () => bus.streamMessages();

beforeAll(async () => {
  bus = await Bus.connect({ servers: "nats://127.0.0.1:4222", namespace: ns });
  redis = redisConnection("redis://127.0.0.1:6379");
  queue = new JobQueue("scan", redis, ns);
  app = buildWebhookApp({
    log: silentLogger, metrics: createMetrics("webhook"), bus, scanQueue: queue, redis,
    registries: [{ id: "local", flavour: "distribution", host: "127.0.0.1:5000", insecure: true, webhookToken: TOKEN, aliases: [], repositories: [] }],
    readiness: [], bodyLimit: 1024 * 1024, dedupeTtlMs: 60_000, namespace: ns,
    imageKnown: async (i) => known.has(i.digest),
  });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await queue.queue.obliterate({ force: true });
  await queue.close();
  await bus.deleteStream();
  await bus.close();
  redis.disconnect();
});

describe("webhook service", () => {
  it("rejects a wrong token with 401 and publishes nothing", async () => {
    const before = await streamCount();
    const r = await app.inject({ method: "POST", url: "/hooks/local", headers: headers({ authorization: "Bearer wrong" }), payload: body });
    expect(r.statusCode).toBe(401);
    expect(r.json().error.code).toBe("LKT_ERR_WEBHOOK_AUTH");
    const r2 = await app.inject({ method: "POST", url: "/hooks/nosuch", headers: headers(), payload: body });
    expect(r2.statusCode).toBe(401);
    expect(r2.body).toBe(r.body);
    expect(await streamCount()).toBe(before);
    expect(await queue.queue.count()).toBe(0);
  });

  it.each([
    ["malformed JSON", { payload: "{not json", headers: headers() }, 400, /not valid JSON/],
    ["wrong content type", { payload: body, headers: headers({ "content-type": "text/plain" }) }, 415, /not JSON/],
    ["body over the limit", { payload: Buffer.alloc(1024 * 1024 + 10, 32), headers: headers() }, 413, /too large/i],
    ["envelope without events", { payload: '{"foo":1}', headers: headers() }, 400, /events array/],
    ["JSON nested too deep", { payload: "[".repeat(40) + "]".repeat(40), headers: headers() }, 400, /nested deeper/],
  ])("answers %s with a JSON 4xx naming the problem and publishes nothing", async (_n, req, status, msg) => {
    const before = await streamCount();
    const r = await app.inject({ method: "POST", url: "/hooks/local", ...(req as any) });
    expect(r.statusCode).toBe(status);
    expect(r.json().error.message).toMatch(msg);
    expect(await streamCount()).toBe(before);
    expect(await queue.queue.count()).toBe(0);
  });

  it("ignores blob pushes with a 2xx", async () => {
    const r = await app.inject({ method: "POST", url: "/hooks/local", headers: headers(), payload: blobBody });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({ accepted: 0, ignored: 1 });
  });

  it("publishes a manifest push and enqueues one scan, however often it is delivered", async () => {
    const before = await streamCount();
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await app.inject({ method: "POST", url: "/hooks/local", headers: headers(), payload: body }));
    expect(answers.map((a) => a.statusCode)).toEqual([202, 202, 202]);
    expect(answers.map((a) => a.json().accepted)).toEqual([1, 0, 0]);
    expect(await streamCount()).toBe(before + 1);
    const jobs = await queue.queue.getJobs(["waiting", "active", "delayed", "prioritized"]);
    expect(jobs).toHaveLength(1);
    const ev = JSON.parse(body.toString()).events[0];
    expect(jobs[0]!.data.data.image).toMatchObject({ registry: "127.0.0.1:5000", repository: ev.target.repository, digest: ev.target.digest, tag: "v1" });
    expect(jobs[0]!.data.correlationId).toBeTruthy();
  });

  it("a new push of a digest whose scan failed for good enqueues it again", async () => {
    const [job] = await queue.queue.getJobs(["waiting"]);
    // The scan fails for good (bad credentials: not retryable).
    const worker = createWorker("scan", async () => {
      throw new LookoutError("LKT_ERR_REGISTRY_AUTH", "registry refused the credentials");
    }, { connection: redis, prefix: ns });
    const deadline = Date.now() + 10_000;
    while ((await (await queue.queue.getJob(job!.id!))?.getState()) !== "failed" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await worker.close();
    expect(await (await queue.queue.getJob(job!.id!))!.getState()).toBe("failed");
    // The operator fixes the credentials and pushes again: a new notification, same digest.
    const again = JSON.parse(body.toString());
    again.events[0].id = `${again.events[0].id}-again`;
    const r = await app.inject({ method: "POST", url: "/hooks/local", headers: headers(), payload: JSON.stringify(again) });
    expect(r.json().accepted).toBe(1);
    expect(await (await queue.queue.getJob(job!.id!))!.getState()).toBe("waiting");
  });

  it("a completed scan job dedupes a new push only when the database holds the image", async () => {
    const [job] = await queue.queue.getJobs(["waiting"]);
    const worker = createWorker("scan", async () => "scanned", { connection: redis, prefix: ns });
    const deadline = Date.now() + 10_000;
    while ((await (await queue.queue.getJob(job!.id!))?.getState()) !== "completed" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await worker.close();
    expect(await (await queue.queue.getJob(job!.id!))!.getState()).toBe("completed");
    const push = (suffix: string) => {
      const again = JSON.parse(body.toString());
      again.events[0].id = `${again.events[0].id}-${suffix}`;
      return app.inject({ method: "POST", url: "/hooks/local", headers: headers(), payload: JSON.stringify(again) });
    };
    // The database has the image: the push is a duplicate of finished work.
    known.add(job!.data.data.image.digest);
    await push("known");
    expect(await (await queue.queue.getJob(job!.id!))!.getState()).toBe("completed");
    // A fresh database (Redis kept the job): the push is scanned again.
    known.clear();
    await push("fresh-db");
    expect(await (await queue.queue.getJob(job!.id!))!.getState()).toBe("waiting");
  });

  it("publishes a registry delete once on lookout.image.deleted for the scanner's consumer, enqueues nothing", async () => {
    const before = await streamCount();
    const jobsBefore = await queue.queue.count();
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await app.inject({ method: "POST", url: "/hooks/local", headers: headers(), payload: deleteBody }));
    expect(answers.map((a) => a.statusCode)).toEqual([202, 202, 202]);
    expect(answers.map((a) => a.json().deletes)).toEqual([1, 0, 0]);
    expect(answers.map((a) => a.json().duplicates)).toEqual([0, 1, 1]);
    expect(await streamCount()).toBe(before + 1);
    expect(await queue.queue.count()).toBe(jobsBefore);
    const got: Envelope<ImageDeleted>[] = [];
    const c = await bus.consume("scannerDeletes", async (env) => { got.push(env as Envelope<ImageDeleted>); });
    for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    await c.stop();
    const ev = JSON.parse(deleteBody.toString()).events[0];
    expect(got).toHaveLength(1);
    expect(got[0]!.data).toEqual({
      sourceId: "local", eventId: ev.id, registry: "127.0.0.1:5000", repository: ev.target.repository, digest: ev.target.digest,
      occurredAt: new Date(ev.timestamp).toISOString(),
    });
    expect(got[0]!.type).toBe("io.lookout.image.deleted");
  });

  it("answers 503 when the queue does not answer, so the registry retries", async () => {
    const deadRedis = redisConnection("redis://127.0.0.1:1"); // nothing listens: commands wait
    deadRedis.on("error", () => {});
    const app2 = buildWebhookApp({
      log: silentLogger, metrics: createMetrics("webhook"), bus, scanQueue: new JobQueue("scan", deadRedis, ns), redis: deadRedis,
      registries: [{ id: "local", flavour: "distribution", host: "127.0.0.1:5000", insecure: true, webhookToken: TOKEN, aliases: [], repositories: [] }],
      readiness: [], bodyLimit: 1024 * 1024, dedupeTtlMs: 60_000, namespace: ns, acceptTimeoutMs: 300,
    });
    const r = await app2.inject({ method: "POST", url: "/hooks/local", headers: headers(), payload: body });
    expect(r.statusCode).toBe(503);
    expect(r.json().error.code).toBe("LKT_ERR_UNAVAILABLE");
    await app2.close();
    deadRedis.disconnect();
  });

  it("serves health, readiness and metrics", async () => {
    expect((await app.inject({ url: "/healthz" })).statusCode).toBe(200);
    expect((await app.inject({ url: "/readyz" })).json().status).toBe("ready");
    const m = await app.inject({ url: "/metrics" });
    // Four: the first push, the push after its scan failed, and two after it completed.
    expect(m.body).toContain('lookout_webhook_events_total{source="local",outcome="accepted",service="webhook"} 4');
    expect(m.body).toContain('lookout_webhook_events_total{source="local",outcome="deleted",service="webhook"} 1');
    expect(m.body).toContain("lookout_http_requests_total");
  });
});
