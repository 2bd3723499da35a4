import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { desc, schema } from "@lookout/db";
import { JobQueue } from "@lookout/queue";
import { waitUntil } from "@lookout/testkit";
import { startSystem, type System } from "../support/system.js";

let sys: System;

beforeAll(async () => {
  // A local, empty OSV mirror: the schedule is what is under test, not the network.
  const mirror = mkdtempSync(join(tmpdir(), "lk-osv-"));
  sys = await startSystem({
    registries: [], services: ["feedSync", "api"],
    extraEnv: { FEED_SYNC_INTERVAL: "1s", FEED_SYNC_SOURCES: "osv", FEED_SYNC_OSV_URL: `file://${mirror}`, FEED_SYNC_OSV_ECOSYSTEMS: "Debian" },
  });
}, 60_000);
afterAll(async () => { await sys?.stop(); });

describe("feed-sync", () => {
  it("runs on its schedule and records each run", async () => {
    const runs = await waitUntil(async () => {
      const r = (await sys.db.db.select().from(schema.feedSyncRuns).orderBy(desc(schema.feedSyncRuns.startedAt))).filter((x) => x.finishedAt);
      return r.length >= 2 ? r : undefined;
    }, "two scheduled feed sync runs", 20_000);
    expect(runs[0]).toMatchObject({ trigger: "schedule" });
    expect(["succeeded", "unchanged", "failed"]).toContain(runs[0]!.status);
    // One scheduler entry, however often the service starts.
    const q = new JobQueue("feedSync", sys.infra.redis, sys.env.LOOKOUT_NAMESPACE);
    const ids = (await q.queue.getJobSchedulers()).map((j) => j.key);
    expect(ids.filter((k) => k === "feed-sync-every")).toHaveLength(1);
    await q.close();
  });

  it("exports run metrics", async () => {
    const m = await (await fetch(`${sys.urls.feedSync}/metrics`)).text();
    expect(m).toMatch(/lookout_jobs_total|lookout_feed_sync_runs_total|process_cpu_seconds_total/);
  });
});

describe("api", () => {
  it("refuses requests without the token and lists scans with it", async () => {
    expect((await fetch(`${sys.urls.api}/api/v1/scans`)).status).toBe(401);
    expect((await fetch(`${sys.urls.api}/api/v1/scans`, { headers: { authorization: "Bearer nope" } })).status).toBe(401);
    const ok = await fetch(`${sys.urls.api}/api/v1/scans`, { headers: { authorization: `Bearer ${sys.apiToken}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ items: [] });
    // health endpoints stay open for probes
    expect((await fetch(`${sys.urls.api}/healthz`)).status).toBe(200);
  });

  it("answers unknown ids with a JSON 404 and never leaks internals", async () => {
    const r = await fetch(`${sys.urls.api}/api/v1/scans/00000000-0000-4000-8000-000000000000`, { headers: { authorization: `Bearer ${sys.apiToken}` } });
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ error: { code: "LKT_ERR_NOT_FOUND", message: "scan not found" } });
  });

  it("reports not ready (503) when a dependency stops answering", async () => {
    const ready = await fetch(`${sys.urls.api}/readyz`);
    expect(ready.status).toBe(200);
    sys.infra.redis.disconnect(false); // the probe fails (closed) until we reconnect
    const r = await fetch(`${sys.urls.api}/readyz`);
    expect(r.status).toBe(503);
    expect(((await r.json()) as any).checks).toMatchObject({ redis: expect.stringMatching(/timeout|closed/i), database: "ok", nats: "ok" });
    await sys.infra.redis.connect();
    expect((await fetch(`${sys.urls.api}/readyz`)).status).toBe(200);
  });
});
