import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { LookoutError, scanJobId } from "@lookout/domain";
import { createWorker, JobQueue, redisConnection, type Worker } from "./index.js";

const redis = redisConnection("redis://127.0.0.1:6379");
const prefix = `q${randomBytes(4).toString("hex")}`;
const queue = new JobQueue("scan", redis, prefix);
const workers: Worker[] = [];

afterAll(async () => {
  for (const w of workers) await w.close();
  await queue.queue.obliterate({ force: true });
  await queue.close();
  redis.disconnect();
});

const image = (n: number) => ({ registry: "r:5000", repository: "a/b", digest: `sha256:${String(n).padStart(64, "0")}` });

describe("BullMQ adapter", () => {
  it("derives job ids from the work: the same digest enqueued twice is one job", async () => {
    const a = await queue.add({ image: image(1), sourceId: "s", reason: "push" }, { jobId: scanJobId(image(1)), correlationId: "c1" });
    const b = await queue.add({ image: image(1), sourceId: "s", reason: "push" }, { jobId: scanJobId(image(1)), correlationId: "c2" });
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(await queue.queue.getJobCountByTypes("waiting", "active", "delayed", "prioritized")).toBe(1);
  });

  it("refuses to enqueue a payload that breaks its contract", async () => {
    await expect(queue.add({ image: { ...image(2), digest: "latest" }, sourceId: "s", reason: "push" } as any, { jobId: "x", correlationId: "c" }))
      .rejects.toThrow(/image.digest/);
  });

  it("retries transient failures and stops a poison job at once", async () => {
    await queue.queue.obliterate({ force: true });
    const attempts = new Map<string, number>();
    const failed: { id: string; final: boolean }[] = [];
    workers.push(createWorker("scan", async (env, job) => {
      attempts.set(job.id!, (attempts.get(job.id!) ?? 0) + 1);
      if (env.data.image.digest === image(3).digest) throw new LookoutError("LKT_ERR_MANIFEST_INVALID", "malformed manifest");
      if ((attempts.get(job.id!) ?? 0) < 2) throw new LookoutError("LKT_ERR_REGISTRY_UNREACHABLE", "registry down", { retryable: true });
      return "ok";
    }, { connection: redis, prefix, onFailed: (job, _e, final) => failed.push({ id: job!.id!, final }) }));
    const poison = scanJobId(image(3));
    const flaky = scanJobId(image(4));
    await queue.add({ image: image(3), sourceId: "s", reason: "push" }, { jobId: poison, correlationId: "c", backoff: { type: "fixed", delay: 50 } });
    await queue.add({ image: image(4), sourceId: "s", reason: "push" }, { jobId: flaky, correlationId: "c", backoff: { type: "fixed", delay: 50 } });
    const deadline = Date.now() + 15_000;
    while ((await (await queue.queue.getJob(flaky))?.getState()) !== "completed" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await (await queue.queue.getJob(flaky))!.getState()).toBe("completed");
    expect(attempts.get(flaky)).toBe(2);
    expect(await (await queue.queue.getJob(poison))!.getState()).toBe("failed");
    expect(attempts.get(poison)).toBe(1);
    expect(failed).toContainEqual({ id: poison, final: true });
    // A failed job stays a duplicate by default; when `replace` says it no longer stands for the
    // work (a new push of a digest whose scan failed for good), it is new work.
    expect((await queue.add({ image: image(3), sourceId: "s", reason: "push" }, { jobId: poison, correlationId: "c3" })).created).toBe(false);
    const again = await queue.add({ image: image(3), sourceId: "s", reason: "push" }, { jobId: poison, correlationId: "c3", replace: (j) => j.isFailed() });
    expect(again.created).toBe(true);
    while ((attempts.get(poison) ?? 0) < 2 && Date.now() < deadline + 15_000) await new Promise((r) => setTimeout(r, 100));
    expect(attempts.get(poison)).toBe(2);
    // ...while a completed one still is (within the hour it is kept).
    expect((await queue.add({ image: image(4), sourceId: "s", reason: "push" }, { jobId: flaky, correlationId: "c4", replace: (j) => j.isFailed() })).created).toBe(false);
  });
});
