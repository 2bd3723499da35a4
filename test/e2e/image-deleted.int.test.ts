import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readOsvDir } from "@lookout/advisories";
import { ingestAdvisories } from "@lookout/advisory-store";
import { eq, listScans, schema, sql } from "@lookout/db";
import { purge, rematch } from "@lookout/feed-sync/app";
import { createLogger } from "@lookout/log";
import { freePort, pushWithSkopeo, startRegistry, waitUntil, writeOciLayout, type TestRegistry } from "@lookout/testkit";
import { startSystem, type System } from "../support/system.js";

/**
 * Images deleted from a real docker-registry (delete enabled): the registry's own notification
 * goes to the webhook, is published as image.deleted, the scanner confirms the 404 and marks the
 * image, re-match stops looking at it, a re-push revives it, and retention purges it.
 */

const TOKEN = "e2e-delete-token-0123456789";
const fixtures = join(import.meta.dirname, "../fixtures");
const silent = createLogger({ service: "test", level: "silent" });

let sys: System;
let registry: TestRegistry;
let work: string;
let layout: string;
let digest: string;

const api = async (path: string) => (await fetch(`${sys.urls.api}${path}`, { headers: { authorization: `Bearer ${sys.apiToken}` } })).json() as Promise<any>;
const image = async () => (await sys.db.db.select().from(schema.images).where(eq(schema.images.digest, digest)))[0];
const count = async (q: ReturnType<typeof sql>) => {
  const r = await sys.db.db.execute(q);
  return Number((("rows" in r ? r.rows : r) as { n: string }[])[0]!.n);
};
const tzdata = [{ ecosystem: "Debian", name: "tzdata" }];
const deleteManifest = async () => {
  const r = await fetch(`${registry.url}/v2/team-a/debian/manifests/${digest}`, { method: "DELETE" });
  expect(r.status).toBe(202);
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "lk-e2e-del-"));
  const host = `127.0.0.1:${await freePort()}`;
  sys = await startSystem({
    registries: [{ id: "local", flavour: "distribution", host, insecure: true, webhookToken: TOKEN }],
    services: ["webhook", "scanner", "api"],
  });
  registry = await startRegistry({ port: Number(host.split(":")[1]), notify: { url: `${sys.urls.webhook}/hooks/local`, token: TOKEN } });
  await ingestAdvisories(sys.db.db, readOsvDir(join(fixtures, "osv")), { sourceName: "test" });
  layout = join(work, "deb9");
  ({ manifestDigest: digest } = await writeOciLayout(layout, "9", {
    layers: [
      { files: { "etc/": "", "etc/os-release": readFileSync(join(fixtures, "debian9-root/etc/os-release")) } },
      { files: { "var/": "", "var/lib/": "", "var/lib/dpkg/": "", "var/lib/dpkg/status": readFileSync(join(fixtures, "debian9-root/var/lib/dpkg/status")) } },
    ],
  }));
}, 120_000);

afterAll(async () => {
  await registry?.stop();
  await sys?.stop();
  await rm(work, { recursive: true, force: true });
});

describe("an image deleted from the registry", () => {
  it("is scanned when pushed, with its finding", async () => {
    await pushWithSkopeo(layout, "9", `${registry.host}/team-a/debian:9`);
    await waitUntil(async () => (await listScans(sys.db.db)).find((s) => s.status === "succeeded"), "the scan", 30_000);
    const img = (await image())!;
    expect(img.deletedAt).toBeNull();
    expect(await count(sql`select count(*) as n from findings where image_id = ${img.id} and advisory_id = 'DLA-3051-1'`)).toBe(1);
    expect((await rematch({ db: sys.db.db, log: silent }, tzdata, "before-delete")).candidates).toBe(1);
  });

  it("is marked deleted when the registry's delete notification arrives, and re-match skips it", async () => {
    const before = (await image())!;
    await deleteManifest();
    const marked = await waitUntil(async () => (await image())?.deletedAt ?? undefined, "the image marked deleted", 20_000);
    expect(marked.getTime()).toBeGreaterThanOrEqual(before.lastPushedAt.getTime() - 1000);
    // Its tag went with the manifest; its inventory and findings stay until retention.
    expect(await count(sql`select count(*) as n from tags where image_id = ${before.id}`)).toBe(0);
    expect(await count(sql`select count(*) as n from findings where image_id = ${before.id}`)).toBe(1);
    expect((await rematch({ db: sys.db.db, log: silent }, tzdata, "after-delete")).candidates).toBe(0);

    // The webhook published it (a manifest delete notifies the digest and the tag it untagged),
    // the scanner's consumer marked it after the registry's 404.
    const wm = await (await fetch(`${sys.urls.webhook}/metrics`)).text();
    expect(wm).toMatch(/lookout_webhook_events_total\{source="local",outcome="deleted",service="webhook"\} 2/);
    const sm = await (await fetch(`${sys.urls.scanner}/metrics`)).text();
    expect(sm).toMatch(/lookout_image_deletes_total\{outcome="marked",service="scanner"\} 1/);

    // The API hides it by default and shows it, with deletedAt, on request.
    expect((await api("/api/v1/images")).items).toEqual([]);
    const only = (await api("/api/v1/images?deleted=only")).items;
    expect(only).toMatchObject([{ digest, repository: "team-a/debian", tags: [] }]);
    expect(new Date(only[0].deletedAt).getTime()).toBe(marked.getTime());
    expect((await api(`/api/v1/images/${before.id}`)).deletedAt).toBe(marked.toISOString());
    expect((await api("/api/v1/images?deleted=maybe")).error.message).toBe('deleted: "maybe" must be one of exclude, include, only');
  });

  it("comes back when the same digest is pushed again (re-scanned, mark cleared)", async () => {
    await pushWithSkopeo(layout, "9", `${registry.host}/team-a/debian:9`);
    await waitUntil(async () => (await listScans(sys.db.db)).filter((s) => s.status === "succeeded").length === 2, "the re-scan", 30_000);
    expect((await image())!.deletedAt).toBeNull();
    expect((await api("/api/v1/images")).items).toMatchObject([{ digest, tags: ["9"], deletedAt: null }]);
    expect((await rematch({ db: sys.db.db, log: silent }, tzdata, "revived")).candidates).toBe(1);
  });

  it("is purged whole by retention once deleted again (grace 0)", async () => {
    const id = (await image())!.id;
    await deleteManifest();
    await waitUntil(async () => (await image())?.deletedAt ?? undefined, "the image marked deleted again", 20_000);
    expect((await purge(sys.db.db, { maxAgeMs: 90 * 86_400_000, deletedGraceMs: 7 * 86_400_000 })).images).toBe(0); // within the grace
    expect((await purge(sys.db.db, { maxAgeMs: 90 * 86_400_000, deletedGraceMs: 0 })).images).toBe(1);
    for (const t of ["images where id", "scans where image_id", "packages where image_id", "findings where image_id"]) {
      expect(await count(sql`select count(*) as n from ${sql.raw(t)} = ${id}`)).toBe(0);
    }
  });
});
