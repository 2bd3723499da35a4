import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { osvSource } from "./sources/osv/index.js";
import { syncSource } from "./sync.js";
import { buildZip, FeedServer, syntheticOsv } from "./testing/feed-server.js";
import { count, goPkg, heldSource, npmPkg, openFindings, scalar, seedImage, startHarness, testdata, type Harness } from "./testing/harness.js";
import { parseOsvJson } from "@lookout/advisories";
import { ingestAdvisories } from "@lookout/advisory-store";

let h: Harness;
let server: FeedServer;
beforeAll(async () => {
  h = await startHarness();
  server = await FeedServer.start();
});
afterAll(async () => {
  await server?.close();
  await h?.close();
});

/** Every stored advisory of `source` has all its affected rows (each record carries exactly one). */
const orphans = (source: string) =>
  count(h.db, sql`select count(*) as n from advisories a where a.source = ${source} and (select count(*) from affected_ranges r where r.advisory_id = a.id) <> 1`);

describe("a sync that dies midway", () => {
  it("cancelled mid-ingest: committed batches are whole, validators unsaved, the next run completes", async () => {
    const entries: Record<string, string> = {};
    for (let i = 0; i < 2000; i++) entries[`LKT-SYN-${i}.json`] = syntheticOsv(i);
    server.files.set("/PyPI/all.zip", { body: await buildZip(entries) });
    const ac = new AbortController();
    const r1 = await syncSource(h.deps({
      signal: ac.signal,
      onProgress: (p) => { if (p.phase === "ingest" && (p.records ?? 0) >= 300) ac.abort(new Error("killed by the test")); },
    }), osvSource(server.url, ["PyPI"]), "manual");
    expect(r1).toMatchObject({ status: "failed", error: expect.stringContaining("killed by the test") });
    const partial = await count(h.db, sql`select count(*) as n from advisories where source = 'osv:PyPI'`);
    expect(partial).toBeGreaterThanOrEqual(300);
    expect(partial).toBeLessThan(2000);
    expect(await orphans("osv:PyPI")).toBe(0);
    expect(await scalar(h.db, sql`select etag from feed_state where source = 'osv:PyPI'`)).toBeNull();
    const r2 = await syncSource(h.deps(), osvSource(server.url, ["PyPI"]), "manual");
    expect(r2).toMatchObject({ status: "succeeded", counts: { added: 2000 - partial, changed: 0 } });
    expect(await count(h.db, sql`select count(*) as n from advisories where source = 'osv:PyPI'`)).toBe(2000);
    expect(await orphans("osv:PyPI")).toBe(0);
    expect(await scalar(h.db, sql`select etag from feed_state where source = 'osv:PyPI'`)).toMatch(/^"/);
  });

  it("connection dropped mid-download: nothing of that part is written, the next run completes", async () => {
    const entries: Record<string, string> = {};
    for (let i = 0; i < 300; i++) entries[`RB-${i}.json`] = syntheticOsv(i, "LKT-RB");
    const body = await buildZip(entries);
    server.files.set("/RubyGems/all.zip", { body, truncateAt: Math.floor(body.length / 2) });
    const r1 = await syncSource(h.deps(), osvSource(server.url, ["RubyGems"]), "manual");
    expect(r1.status).toBe("failed");
    expect(r1.error).toMatch(/osv:RubyGems: .*(broke off|truncated)/);
    expect(await count(h.db, sql`select count(*) as n from advisories where source = 'osv:RubyGems'`)).toBe(0);
    server.files.set("/RubyGems/all.zip", { body });
    const r2 = await syncSource(h.deps(), osvSource(server.url, ["RubyGems"]), "manual");
    expect(r2).toMatchObject({ status: "succeeded", counts: { added: 300 } });
  });
});

describe("a crash between ingest and re-match", () => {
  it("the next run re-matches what the unfinished run wrote, though its ingest sees no change", async () => {
    const image = await seedImage(h.db, "svc/crashed", [goPkg("golang.org/x/text", "v0.3.5")]);
    // The crashed run: recorded as running, its records committed, no re-match.
    await h.db.execute(sql`insert into feed_sync_runs (source, trigger, status, started_at) values ('osv', 'schedule', 'running', now())`);
    const text = testdata("osv/Go/GO-2021-0113.json");
    await ingestAdvisories(h.db, (async function* () { yield { ok: parseOsvJson(text) }; })(), { sourceName: "osv:Go" });
    server.files.set("/Go/all.zip", { body: await buildZip({ "GO-2021-0113.json": text }) });
    const r = await syncSource(h.deps(), osvSource(server.url, ["Go"]), "schedule");
    expect(r).toMatchObject({ status: "succeeded", counts: { added: 0, changed: 0 }, rematch: { images: 1, new: 1 } });
    expect(await openFindings(h.db, image)).toEqual(["CVE-2021-38561"]);
    const again = await syncSource(h.deps(), osvSource(server.url, ["Go"]), "schedule"); // the previous run finished: nothing carried
    expect(again).toMatchObject({ status: "unchanged", rematch: { images: 0 } });
  });
});

describe("NATS refusing the findings events", () => {
  it("rolls the re-match back; the next run finds the change again and publishes it", async () => {
    const image = await seedImage(h.db, "web/pub", [npmPkg("lookout-synthetic-pub", "1.0.0")]);
    // SYNTHETIC record (generated): the package above, fixed in 2.0.0.
    const rec = JSON.stringify({ id: "LKT-PUB-1", modified: "2026-01-01T00:00:00Z", aliases: ["CVE-2099-4242"], affected: [{ package: { ecosystem: "npm", name: "lookout-synthetic-pub" }, ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed: "2.0.0" }] }] }] });
    server.files.set("/npm/all.zip", { body: await buildZip({ "LKT-PUB-1.json": rec }) });
    const down = { publish: async () => { throw new Error("nats: no responders"); } };
    const r1 = await syncSource(h.deps({ bus: down }), osvSource(server.url, ["npm"]), "schedule");
    expect(r1).toMatchObject({ status: "failed", error: expect.stringContaining("no responders") });
    expect(await openFindings(h.db, image)).toEqual([]);
    h.events.length = 0;
    const r2 = await syncSource(h.deps(), osvSource(server.url, ["npm"]), "schedule");
    expect(r2).toMatchObject({ status: "unchanged", rematch: { images: 1, new: 1, events: 1 } });
    expect(await openFindings(h.db, image)).toEqual(["CVE-2099-4242"]);
    expect(h.events.map((e) => [e.data.image.repository, e.data.kind])).toEqual([["web/pub", "new"]]);
  });
});

describe("bad input is skipped with counters", () => {
  it("invalid JSON, a corrupt entry and unknown fields in a zip; an unreadable zip fails only its part", async () => {
    const ansi = JSON.parse(testdata("osv/npm/GHSA-whgm-jr23-g3j9.json"));
    // SYNTHETIC: fields no OSV schema version defines, at the top level and inside affected[].
    const withUnknown = JSON.stringify({ ...ansi, x_lookout_future: { a: 1 }, affected: ansi.affected.map((a: object) => ({ ...a, x_extra: true })) });
    const zip = await buildZip({
      "GHSA-whgm-jr23-g3j9.json": withUnknown,
      "bad.json": "{ this is not json",
      "notes.txt": "ignored: not a .json entry",
      "corrupt.json": syntheticOsv(1, "LKT-CORRUPT").repeat(50),
      "GO-2023-1571.json": testdata("osv/Go/GO-2023-1571.json"),
    });
    // Damage the deflated bytes of corrupt.json (after its local header) so its stream fails.
    const at = zip.indexOf(Buffer.from("corrupt.json")) + "corrupt.json".length + 10;
    for (let i = 0; i < 40; i++) zip[at + i] = 0xff;
    server.files.set("/npm/all.zip", { body: zip });
    server.files.set("/crates.io/all.zip", { body: Buffer.from("PK\u0003\u0004 definitely not a zip archive") });
    const r = await syncSource(h.deps(), osvSource(server.url, ["crates.io", "npm"]), "manual");
    expect(r.status).toBe("failed"); // the unreadable crates.io zip is reported ...
    expect(r.error).toMatch(/^osv:crates\.io: /);
    expect(r.counts).toMatchObject({ added: 2, rejected: 3 }); // ... and npm still went in: 2 good, bad + corrupt + the crates.io zip
    expect(await scalar(h.db, sql`select id from advisories where id = 'GHSA-whgm-jr23-g3j9'`)).toBe("GHSA-whgm-jr23-g3j9");
    expect(await scalar(h.db, sql`select etag from feed_state where source = 'osv:crates.io'`)).toBeNull();
    expect(await scalar(h.db, sql`select etag from feed_state where source = 'osv:npm'`)).toMatch(/^"/);
    expect(await count(h.db, sql`select count(*) as n from feed_sync_runs where status = 'failed' and error like 'osv:crates.io:%'`)).toBe(1);
  });
});

describe("replicas", () => {
  it("two concurrent syncs of one source: one runs, the other is told the lock is held", async () => {
    const held = heldSource();
    const slow = held.source;
    const first = syncSource(h.deps(), slow, "schedule");
    await new Promise((r) => setTimeout(r, 100));
    const second = await syncSource(h.deps(), slow, "manual");
    expect(second).toEqual({ status: "locked" });
    held.release();
    expect((await first).status).toBe("unchanged");
    expect([held.calls(), held.maxActive()]).toEqual([1, 1]);
    expect((await syncSource(h.deps(), slow, "manual")).status).toBe("unchanged"); // the lock was released
  });
});
