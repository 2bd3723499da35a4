import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFeedSyncConfig } from "@lookout/feed-sync/config";
import { waitUntil } from "@lookout/testkit";
import { startSystem, type System } from "../../../test/support/system.js";
import { startFeedSync } from "./main.js";
import { heldSource, silent } from "./testing/harness.js";

let sys: System;
beforeAll(async () => {
  sys = await startSystem({ registries: [], services: [] });
});
afterAll(() => sys?.stop());

describe("two feed-sync replicas", () => {
  it("never sync the same source at once: the second replica's job is told the lock is held", async () => {
    const held = heldSource();
    const slow = held.source;
    const cfg = loadFeedSyncConfig(sys.env);
    const a = await startFeedSync(cfg, sys.infra, silent, { sources: [slow] });
    const b = await startFeedSync(cfg, sys.infra, silent, { sources: [slow] });
    try {
      // Whichever job comes first (the scheduler's first tick or manual-1) takes the source and holds it.
      await a.queue.add({ source: "slow", trigger: "manual" }, { jobId: "manual-1", correlationId: "m1" });
      await waitUntil(async () => held.calls() === 1, "one replica syncing");
      const ids = ["manual-2", "manual-3"];
      for (const jobId of ids) await b.queue.add({ source: "slow", trigger: "manual" }, { jobId, correlationId: jobId });
      const refused = await waitUntil(async () => {
        const jobs = await Promise.all(ids.map((id) => a.queue.queue.getJob(id)));
        return jobs.every((j) => j?.finishedOn) ? jobs.flatMap((j) => (j!.returnvalue as { status: string }[]).map((r) => r.status)) : undefined;
      }, "both later jobs refused while the source is held");
      expect(refused).toEqual(["locked", "locked"]);
      expect(held.calls()).toBe(1);
      held.release();
      await waitUntil(async () => (await a.queue.queue.getJob("manual-1"))?.finishedOn, "first job finished");
      expect(held.maxActive()).toBe(1);
      // Every sync that ran was recorded; refused ones were not.
      const runs = await sys.infra.database.db.execute(sql`select count(*)::int as n from feed_sync_runs where source = 'slow'`);
      expect((("rows" in runs ? runs.rows : runs) as { n: number }[])[0]!.n).toBe(held.calls());
    } finally {
      held.release();
      await a.stop();
      await b.stop();
    }
  });
});
