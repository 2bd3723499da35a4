import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, schema, upsertImage } from "@lookout/db";
import { makeEnvelope, type ImageDeleted } from "@lookout/domain";
import { createLogger } from "@lookout/log";
import { RegistryClient } from "@lookout/oci";
import { createTestDatabase, pushWithSkopeo, startRegistry, writeOciLayout, type TestDatabase, type TestRegistry } from "@lookout/testkit";
import { handleImageDeleted, type DeleteDeps } from "./image-deleted.js";

/**
 * The delete consumer against a real docker-registry and Postgres: it acts only when the registry
 * confirms the manifest is gone, only on digests stored as images, once however often delivered.
 */

const log = createLogger({ service: "test", level: "silent" });
let db: TestDatabase;
let registry: TestRegistry;
let work: string;
let deps: DeleteDeps;
let live: string; // still served by the registry
let removed: string; // deleted from the registry

const ev = (d: Partial<ImageDeleted>, at = new Date()) => makeEnvelope("io.lookout.image.deleted", "test", {
  sourceId: "local", eventId: `e-${Math.random()}`, registry: registry.host, repository: "team/app", occurredAt: at.toISOString(), ...d,
} as ImageDeleted);
const row = async (digest: string) => (await db.db.select().from(schema.images).where(eq(schema.images.digest, digest)))[0]!;
const tagsOf = async (digest: string) => (await db.db.select({ name: schema.tags.name }).from(schema.tags).where(eq(schema.tags.imageId, (await row(digest)).id))).map((t) => t.name);

async function pushImage(tag: string, text: string): Promise<string> {
  const dir = join(work, tag);
  const { manifestDigest } = await writeOciLayout(dir, tag, { layers: [{ files: { "hello.txt": text } }] });
  await pushWithSkopeo(dir, tag, `${registry.host}/team/app:${tag}`);
  await upsertImage(db.db, { registry: registry.host, repository: "team/app", digest: manifestDigest, tag });
  return manifestDigest;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "lk-del-"));
  db = await createTestDatabase();
  registry = await startRegistry();
  deps = { db: db.db, registry: new RegistryClient({ fetch: globalThis.fetch, registries: [{ host: registry.host, insecure: true }] }), log };
  live = await pushImage("live", "still here\n");
  removed = await pushImage("gone", "going away\n");
  expect((await fetch(`${registry.url}/v2/team/app/manifests/${removed}`, { method: "DELETE" })).status).toBe(202);
}, 60_000);

afterAll(async () => {
  await registry?.stop();
  await db?.drop();
  await rm(work, { recursive: true, force: true });
});

describe("handleImageDeleted", () => {
  it("ignores a delete the registry refutes (forged or stale): the image stays live", async () => {
    expect(await handleImageDeleted(deps, ev({ digest: live }))).toEqual({ outcome: "present", images: 0 });
    expect((await row(live)).deletedAt).toBeNull();
  });

  it("marks a confirmed delete once, with the registry's time, and drops its tags; duplicates change nothing", async () => {
    const at = new Date(Date.now() - 5_000);
    expect(await handleImageDeleted(deps, ev({ digest: removed }, at))).toEqual({ outcome: "marked", images: 1 });
    expect((await row(removed)).deletedAt).toEqual(at);
    expect(await tagsOf(removed)).toEqual([]);
    expect(await handleImageDeleted(deps, ev({ digest: removed }, new Date()))).toEqual({ outcome: "already", images: 0 });
    expect((await row(removed)).deletedAt).toEqual(at); // the first time stays
  });

  it("ignores digests it never stored as an image (a blob delete looks the same)", async () => {
    expect(await handleImageDeleted(deps, ev({ digest: `sha256:${"b".repeat(64)}` }))).toEqual({ outcome: "unknown", images: 0 });
  });

  it("removes a tag only when the registry no longer serves it", async () => {
    expect(await handleImageDeleted(deps, ev({ tag: "live" }))).toEqual({ outcome: "present", images: 0 });
    expect(await tagsOf(live)).toEqual(["live"]);
    await upsertImage(db.db, { registry: registry.host, repository: "team/app", digest: live, tag: "old-name" });
    expect(await handleImageDeleted(deps, ev({ tag: "old-name" }))).toEqual({ outcome: "untagged", images: 0 });
    expect(await tagsOf(live)).toEqual(["live"]);
    expect((await row(live)).deletedAt).toBeNull();
  });

  it("without registry confirmation, orders by time: a delete older than the image's last push is ignored", async () => {
    const unverified = { ...deps, registry: undefined };
    const old = new Date(Date.now() - 3_600_000);
    expect(await handleImageDeleted(unverified, ev({ digest: live }, old))).toEqual({ outcome: "superseded", images: 0 });
    expect((await row(live)).deletedAt).toBeNull();
  });

  it("a scan of the same digest (a re-push) revives it", async () => {
    await upsertImage(db.db, { registry: registry.host, repository: "team/app", digest: removed, tag: "gone" });
    expect((await row(removed)).deletedAt).toBeNull();
  });

  it("a repository delete marks every image of the repository the registry no longer serves", async () => {
    expect((await fetch(`${registry.url}/v2/team/app/manifests/${live}`, { method: "DELETE" })).status).toBe(202);
    expect(await handleImageDeleted(deps, ev({}))).toEqual({ outcome: "marked", images: 2 });
    expect((await row(live)).deletedAt).not.toBeNull();
  });
});
