import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readOsvDir } from "@lookout/advisories";
import { ingestAdvisories } from "@lookout/advisory-store";
import { listFindings, startScan, upsertImage, type Db } from "@lookout/db";
import { openOciLayout, type ImageSource } from "@lookout/oci";
import { createTestDatabase, writeOciLayout, type TestDatabase } from "@lookout/testkit";
import { analyzeImage, analyzeInventory } from "./index.js";

const STORE_TD = fileURLToPath(new URL("../../advisory-store/testdata/", import.meta.url));

describe("analyzeImage on Postgres", () => {
  let database: TestDatabase;
  let dir: string;
  let src: ImageSource;
  let imageId: number;
  beforeAll(async () => {
    database = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), "lk-pipeline-"));
    await ingestAdvisories(database.db, readOsvDir(join(STORE_TD, "osv")), { sourceName: "test" });
    // Real files composed into a Debian 9 root (advisory-store/testdata/README.md).
    await writeOciLayout(join(dir, "image"), "latest", { layers: [{ files: {
      "etc/os-release": readFileSync(join(STORE_TD, "root/etc/os-release")),
      "var/lib/dpkg/status": readFileSync(join(STORE_TD, "root/var/lib/dpkg/status")),
    } }] });
    const r = await openOciLayout(join(dir, "image"));
    if (r.kind !== "images") throw new Error("no image");
    src = r.images[0]!;
    imageId = await upsertImage(database.db, { registry: "127.0.0.1:5000", repository: "debian", digest: src.manifestDigest, layers: src.layers });
  });
  afterAll(async () => {
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it("finds, persists and diffs; summary fields for scan.completed", async () => {
    const scanId = await startScan(database.db, { imageId, reason: "test" });
    const a = await analyzeImage(src, { db: database.db, scratchDir: join(dir, "s1"), persist: { imageId, scanId } });
    expect(a.inventory.packages).toHaveLength(357);
    expect(a.findings.map((f) => [f.packageName, f.advisoryId])).toEqual([["tzdata", "DLA-3051-1"]]);
    expect(a.diff?.new.map((f) => f.advisoryId)).toEqual(["DLA-3051-1"]);
    expect(a.severityCounts).toEqual({ unknown: 1 });
    expect(a.topFindings).toEqual([{
      advisoryId: "DLA-3051-1", packageName: "tzdata", installedVersion: "2020a-0ubuntu0.18.04", fixedVersion: "2021a-0+deb9u4",
      severity: "unknown", url: "https://osv.dev/vulnerability/DLA-3051-1",
    }]);
    expect((a.sbom.vulnerabilities as unknown[]).length).toBe(1);
    expect((await listFindings(database.db, imageId)).map((f) => f.advisoryId)).toEqual(["DLA-3051-1"]);

    const again = await analyzeImage(src, { db: database.db, scratchDir: join(dir, "s2"), persist: { imageId, scanId: await startScan(database.db, { imageId, reason: "test" }) } });
    expect(again.diff).toMatchObject({ new: [], resolved: [] });
    expect(again.diff?.still).toHaveLength(1);
  });

  it("matching an inventory costs exactly one database query", async () => {
    const a = await analyzeImage(src, { db: database.db, scratchDir: join(dir, "s3") });
    let queries = 0;
    const counting = new Proxy(database.db, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== "function") return v;
        return (...args: unknown[]) => {
          queries++;
          return (v as (...x: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as Db;
    const b = await analyzeInventory(a.inventory, src, { db: counting });
    expect(queries).toBe(1);
    expect(b.stats.candidateKeys).toBeGreaterThan(300); // every package (binary + source names) in that one query
    expect(b.findings).toEqual(a.findings);
  });
});
