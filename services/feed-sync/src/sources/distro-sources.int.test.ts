import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Package } from "@lookout/domain";
import { syncSource } from "../sync.js";
import { FeedServer } from "../testing/feed-server.js";
import { count, openFindings, seedImage, startHarness, testdata, type Harness } from "../testing/harness.js";
import { secdbFromOsv } from "../testing/secdb.js";
import { alpineSecdbSource } from "./alpine-secdb/index.js";
import { debianTrackerSource } from "./debian-tracker/index.js";

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

const deb = (name: string, version: string, source?: string): Package =>
  ({ type: "deb", name, version, ecosystem: "Debian", purl: `pkg:deb/debian/${name}@${version}`, path: "var/lib/dpkg/status", ...(source ? { sourceName: source } : {}) });

describe("debian-tracker", () => {
  it("streams the tracker JSON into Debian:<n> records and re-matches Debian images with the tracker's states", async () => {
    // The two real samples merged into one document (each is a subset of the tracker's top-level object).
    const doc = { ...JSON.parse(testdata("debian/tracker-data-json.vunnel-sample.json")), ...JSON.parse(testdata("debian/tracker-data-json.osv.dev-sample.json")) };
    server.files.set("/tracker/data/json", { body: Buffer.from(JSON.stringify(doc)) });
    const buster = await seedImage(h.db, "legacy/browser", [deb("chromium", "90.0.4430.212-1~deb10u1")], { id: "debian", versionId: "10" });
    const bookworm = await seedImage(h.db, "base/bookworm", [deb("libapparmor1", "3.0.8-3", "apparmor")], { id: "debian", versionId: "12" });
    const src = debianTrackerSource(`${server.url}/tracker/data/json`);
    const r = await syncSource(h.deps(), src, "manual");
    expect(r).toMatchObject({ status: "succeeded", counts: { rejected: 0 }, rematch: { images: 2 } });
    // prototypejs CVE-2007-2383, apparmor CVE-2014-1424 (not affected anywhere) and chromium-browser (no releases) give no record.
    expect(r.counts!.added).toBe(7);
    expect(await openFindings(h.db, buster)).toEqual(["CVE-2022-0456"]);
    expect(await count(h.db, sql`select count(*) as n from findings where image_id = ${buster} and state = 'end-of-life'`)).toBe(1);
    // apparmor CVE-2016-1585 is open in bookworm, triaged unimportant; CVE-2017-6507 is fixed before 3.0.8.
    expect(await openFindings(h.db, bookworm)).toEqual(["CVE-2016-1585"]);
    expect(await count(h.db, sql`select count(*) as n from findings where image_id = ${bookworm} and state = 'unimportant'`)).toBe(1);
    const again = await syncSource(h.deps(), src, "manual");
    expect(again).toMatchObject({ status: "unchanged", counts: { added: 0, changed: 0 } });
  });

  it("a truncated tracker file fails the part and keeps the records of the members read before the break", async () => {
    const text = testdata("debian/tracker-data-json.vunnel-sample.json");
    server.files.set("/broken/json", { body: Buffer.from(text.slice(0, Math.floor(text.length * 0.8))) });
    const r = await syncSource(h.deps(), debianTrackerSource(`${server.url}/broken/json`), "manual");
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/^debian-tracker: invalid JSON/);
    expect(await count(h.db, sql`select count(*) as n from feed_state where source = 'debian-tracker' and etag is not null`)).toBe(1); // the earlier good file's
  });
});

describe("alpine-secdb", () => {
  it("fetches <base>/<branch>/<repo>.json and re-matches Alpine images of that branch", async () => {
    server.files.set("/secdb/v3.19/main.json", { body: Buffer.from(JSON.stringify(secdbFromOsv("v3.19"))) });
    const apk = (v: string): Package => ({ type: "apk", name: "musl", version: v, ecosystem: "Alpine", purl: `pkg:apk/alpine/musl@${v}`, path: "lib/apk/db/installed", sourceName: "musl" });
    const old = await seedImage(h.db, "alpine/old", [apk("1.2.4_git20230717-r4")], { id: "alpine", versionId: "3.19.1" });
    const fixed = await seedImage(h.db, "alpine/fixed", [apk("1.2.4_git20230717-r5")], { id: "alpine", versionId: "3.19.1" });
    const r = await syncSource(h.deps(), alpineSecdbSource(`${server.url}/secdb`, ["v3.19/main"]), "manual");
    expect(r).toMatchObject({ status: "succeeded", counts: { added: 1 } });
    expect(await openFindings(h.db, old)).toEqual(["CVE-2025-26519"]);
    expect(await openFindings(h.db, fixed)).toEqual([]);
  });
});
