import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { purge } from "./retention.js";
import { count, npmPkg, seedImage, startHarness, type Harness } from "./testing/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();

describe("retention purge", () => {
  it("drops deleted images whole, old scans except each image's newest and its inventory's, old resolved findings", async () => {
    const live = await seedImage(h.db, "app/live", [npmPkg("ansi-html", "0.0.7")]); // its inventory scan: 200 days old below
    const gone = await seedImage(h.db, "app/gone", [npmPkg("ansi-html", "0.0.7")]);
    const invScan = await h.db.execute(sql`select scan_id from packages where image_id = ${live} limit 1`);
    const inventoryScan = (("rows" in invScan ? invScan.rows : invScan) as { scan_id: string }[])[0]!.scan_id;
    await h.db.execute(sql`update scans set started_at = ${daysAgo(200)}::timestamptz where id = ${inventoryScan}`);
    // Two more scans of the live image: an old failed one (purged) and the newest (kept, though old too).
    await h.db.execute(sql`insert into scans (image_id, status, reason, started_at) values
      (${live}, 'failed', 'test', ${daysAgo(150)}::timestamptz), (${live}, 'failed', 'test', ${daysAgo(100)}::timestamptz)`);
    await h.db.execute(sql`insert into findings (image_id, advisory_id, package_name, package_version, ecosystem, state, severity, status, resolved_at) values
      (${live}, 'CVE-OLD', 'ansi-html', '0.0.7', 'npm', 'fixed', 'high', 'resolved', ${daysAgo(120)}::timestamptz),
      (${live}, 'CVE-RECENT', 'ansi-html', '0.0.7', 'npm', 'fixed', 'high', 'resolved', ${daysAgo(5)}::timestamptz),
      (${live}, 'CVE-OPEN', 'ansi-html', '0.0.7', 'npm', 'fixed', 'high', 'open', null),
      (${gone}, 'CVE-OPEN', 'ansi-html', '0.0.7', 'npm', 'fixed', 'high', 'open', null)`);
    await h.db.execute(sql`update images set deleted_at = now() where id = ${gone}`);
    await h.db.execute(sql`insert into feed_sync_runs (source, trigger, status, started_at) values ('osv', 'schedule', 'succeeded', ${daysAgo(95)}::timestamptz)`);

    const r = await purge(h.db, 90 * DAY);
    expect(r).toEqual({ images: 1, scans: 1, findings: 1, runs: 1 });
    expect(await count(h.db, sql`select count(*) as n from images where id = ${gone}`)).toBe(0);
    expect(await count(h.db, sql`select count(*) as n from findings where image_id = ${gone}`)).toBe(0);
    expect(await count(h.db, sql`select count(*) as n from packages where image_id = ${gone}`)).toBe(0);
    expect(await count(h.db, sql`select count(*) as n from scans where image_id = ${live}`)).toBe(2); // inventory's + newest
    expect(await count(h.db, sql`select count(*) as n from packages where image_id = ${live}`)).toBe(1);
    const left = await h.db.execute(sql`select advisory_id from findings where image_id = ${live} order by advisory_id`);
    expect((("rows" in left ? left.rows : left) as { advisory_id: string }[]).map((x) => x.advisory_id)).toEqual(["CVE-OPEN", "CVE-RECENT"]);
    expect(await purge(h.db, 90 * DAY)).toEqual({ images: 0, scans: 0, findings: 0, runs: 0 }); // idempotent
  });

  it("keeps a deleted image for the grace period, then purges it whole", async () => {
    const recent = await seedImage(h.db, "app/deleted-yesterday", [npmPkg("ansi-html", "0.0.7")]);
    const old = await seedImage(h.db, "app/deleted-last-month", [npmPkg("ansi-html", "0.0.7")]);
    await h.db.execute(sql`update images set deleted_at = ${daysAgo(1)}::timestamptz where id = ${recent}`);
    await h.db.execute(sql`update images set deleted_at = ${daysAgo(30)}::timestamptz where id = ${old}`);
    const r = await purge(h.db, { maxAgeMs: 90 * DAY, deletedGraceMs: 7 * DAY });
    expect(r.images).toBe(1);
    expect(await count(h.db, sql`select count(*) as n from images where id = ${old}`)).toBe(0);
    expect(await count(h.db, sql`select count(*) as n from packages where image_id = ${old}`)).toBe(0);
    expect(await count(h.db, sql`select count(*) as n from packages where image_id = ${recent}`)).toBe(1);
    expect((await purge(h.db, { maxAgeMs: 90 * DAY, deletedGraceMs: 0 })).images).toBe(1); // 0 = at the next run
    expect(await count(h.db, sql`select count(*) as n from images where id = ${recent}`)).toBe(0);
  });
});
