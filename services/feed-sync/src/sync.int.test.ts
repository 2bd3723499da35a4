import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { osvSource } from "./sources/osv/index.js";
import { syncSource } from "./sync.js";
import { buildZip, FeedServer } from "./testing/feed-server.js";
import { count, goPkg, scalar, npmPkg, openFindings, seedImage, startHarness, testdata, type Harness } from "./testing/harness.js";

let h: Harness;
let server: FeedServer;
const images: Record<"text" | "ansi" | "net", number> = { text: 0, ansi: 0, net: 0 };

// Real records; the changes below are SYNTHETIC edits of copies, made to exercise each kind of change.
const goText = testdata("osv/Go/GO-2021-0113.json");
const goNet = testdata("osv/Go/GO-2023-1571.json");
const ansi = testdata("osv/npm/GHSA-whgm-jr23-g3j9.json");
const edit = (text: string, f: (r: any) => void): string => {
  const r = JSON.parse(text);
  f(r);
  r.modified = "2030-01-01T00:00:00Z";
  return JSON.stringify(r);
};

async function serve(go: Record<string, string>, npm: Record<string, string>) {
  server.files.set("/Go/all.zip", { body: await buildZip(go) });
  server.files.set("/npm/all.zip", { body: await buildZip(npm) });
}
const source = () => osvSource(server.url, ["Go", "npm"]);
const kinds = () => h.events.map((e) => `${Object.entries(images).find(([, id]) => e.id.includes(`-${id}-`))?.[0]}:${e.data.kind}`).sort();

beforeAll(async () => {
  h = await startHarness();
  server = await FeedServer.start();
  images.text = await seedImage(h.db, "svc/text", [goPkg("golang.org/x/text", "v0.3.5"), goPkg("github.com/unrelated/mod", "v1.0.0")]);
  images.ansi = await seedImage(h.db, "web/ansi", [npmPkg("ansi-html", "0.0.7")]);
  images.net = await seedImage(h.db, "svc/net", [goPkg("golang.org/x/net", "v0.8.0")]);
});
afterAll(async () => {
  await server?.close();
  await h?.close();
});

describe("osv sync over HTTP, then re-match of stored inventories", () => {
  it("first sync ingests every record and opens findings on exactly the affected images, one new event each", async () => {
    await serve({ "GO-2021-0113.json": goText, "GO-2023-1571.json": goNet }, { "GHSA-whgm-jr23-g3j9.json": ansi });
    const r = await syncSource(h.deps(), source(), "manual");
    expect(r).toMatchObject({ status: "succeeded", counts: { added: 3, changed: 0, withdrawn: 0, rejected: 0 } });
    expect(kinds()).toEqual(["ansi:new", "text:new"]);
    expect(await openFindings(h.db, images.text)).toEqual(["CVE-2021-38561"]);
    expect(await openFindings(h.db, images.ansi)).toEqual(["CVE-2021-23424"]);
    expect(await openFindings(h.db, images.net)).toEqual([]);
    const ev = h.events.find((e) => e.data.kind === "new" && e.data.image.repository === "svc/text")!;
    expect(ev.id).toBe(`rematch-${r.runId}-${images.text}-new`);
    expect(ev.data).toMatchObject({ reason: "rematch", image: { registry: "registry.test:5000", tag: "latest" }, findings: [{ advisoryId: "CVE-2021-38561", fixedVersion: "0.3.7" }] });
    expect(ev.data.imagePushedAt).toMatch(/^\d{4}-/);
  });

  it("an unchanged feed costs one conditional request per part and makes zero writes", async () => {
    h.events.length = 0;
    const before = { go: server.count("/Go/all.zip"), npm: server.count("/npm/all.zip") };
    const stamps = await scalar(h.db, sql`select string_agg(id || updated_at::text, ',' order by id) as s from advisories`);
    const findingsBefore = await scalar(h.db, sql`select string_agg(id || status || coalesce(resolved_at::text, ''), ',' order by id) as s from findings`);
    expect(stamps).toContain("GO-2021-0113");
    const r = await syncSource(h.deps(), source(), "schedule");
    expect(r).toMatchObject({ status: "unchanged", counts: { added: 0, changed: 0, withdrawn: 0, rejected: 0 }, rematch: { images: 0 } });
    expect([server.count("/Go/all.zip") - before.go, server.count("/npm/all.zip") - before.npm]).toEqual([1, 1]);
    expect(await scalar(h.db, sql`select string_agg(id || updated_at::text, ',' order by id) as s from advisories`)).toEqual(stamps);
    expect(await scalar(h.db, sql`select string_agg(id || status || coalesce(resolved_at::text, ''), ',' order by id) as s from findings`)).toEqual(findingsBefore);
    expect(h.events).toEqual([]);
    expect(await count(h.db, sql`select count(*) as n from feed_sync_runs where status = 'unchanged'`)).toBe(1);
  });

  it("one changed advisory re-matches exactly the images holding its packages", async () => {
    h.events.length = 0;
    const widened = edit(goNet, (r) => { r.affected[1].ranges[0].events[1].fixed = "0.9.0"; });
    await serve({ "GO-2021-0113.json": goText, "GO-2023-1571.json": widened }, { "GHSA-whgm-jr23-g3j9.json": ansi });
    const r = await syncSource(h.deps(), source(), "schedule");
    expect(r).toMatchObject({ status: "succeeded", counts: { added: 0, changed: 1 }, rematch: { images: 1, new: 1 } });
    expect(kinds()).toEqual(["net:new"]);
    expect(await openFindings(h.db, images.net)).toEqual(["CVE-2022-41723"]);
  });

  it("a withdrawn advisory retracts its findings, a narrowed one resolves them", async () => {
    h.events.length = 0;
    const withdrawn = edit(goText, (r) => { r.withdrawn = "2030-01-01T00:00:00Z"; });
    const narrowed = edit(ansi, (r) => { r.affected[0].ranges[0].events[1].fixed = "0.0.6"; });
    await serve({ "GO-2021-0113.json": withdrawn, "GO-2023-1571.json": edit(goNet, (r) => { r.affected[1].ranges[0].events[1].fixed = "0.9.0"; }) }, { "GHSA-whgm-jr23-g3j9.json": narrowed });
    const r = await syncSource(h.deps(), source(), "schedule");
    expect(r).toMatchObject({ status: "succeeded", counts: { withdrawn: 1, changed: 1 }, rematch: { retracted: 1, resolved: 1 } });
    expect(kinds()).toEqual(["ansi:resolved", "text:retracted"]);
    expect(await openFindings(h.db, images.text)).toEqual([]);
    expect(await count(h.db, sql`select count(*) as n from findings where image_id = ${images.text} and status = 'resolved' and resolved_at is not null`)).toBe(1);
  });

  it("re-publishing a run's events is stored once (ids are per run, image and kind)", async () => {
    const before = await h.bus.streamMessages();
    for (const e of h.events) expect((await h.bus.publish("findingsChanged", e)).duplicate).toBe(true);
    expect(await h.bus.streamMessages()).toBe(before);
  });
});
