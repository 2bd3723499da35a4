import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Package } from "@lookout/domain";
import { createTestDatabase } from "@lookout/testkit";
import { migrate } from "../migrate.js";
import { openDatabase, type Database } from "../client.js";
import { upsertImage } from "./images.js";
import { startScan } from "./scans.js";
import { listFindings, saveScanResults, type FindingRecord } from "./findings.js";
import { loadPackages } from "./inventory.js";

// SYNTHETIC findings: the mechanism under test is identity across scans, not matching.
const pkg = (name: string, version: string, extra: Partial<Package> = {}): Package =>
  ({ type: "npm", name, version, ecosystem: "npm", purl: `pkg:npm/${name}@${version}`, path: `/app/node_modules/${name}/package.json`, ...extra });
const finding = (p: Package, advisoryId: string, aliases: string[] = []): FindingRecord => ({
  advisoryId, aliases, sources: [advisoryId], packageName: p.name, packagePurl: p.purl, installedVersion: p.version,
  fixedVersions: ["9.9.9"], state: "fixed", severity: { level: "high", source: "cvss_v3", score: 7.5 }, path: p.path, ecosystem: p.ecosystem,
});

const backends: [string, () => Promise<Database & { drop?: () => Promise<void> }>][] = [
  ["postgres", () => createTestDatabase()],
  ["pglite", async () => {
    const d = await openDatabase({ memory: true });
    await migrate(d.db);
    return d;
  }],
];

describe.each(backends)("saveScanResults on %s", (_name, open) => {
  let database: Database & { drop?: () => Promise<void> };
  let imageId: number;
  beforeAll(async () => {
    database = await open();
    imageId = await upsertImage(database.db, { registry: "127.0.0.1:5000", repository: "app", digest: `sha256:${"a".repeat(64)}`, layers: [] });
  });
  afterAll(async () => {
    await (database.drop ? database.drop() : database.close());
  });
  const scan = () => startScan(database.db, { imageId, reason: "test" });

  const x = pkg("x", "1.0.0");
  const y = pkg("y", "2.0.0");
  const z = pkg("z", "3.0.0", { sourceName: "zsrc", epoch: 1, arch: "amd64", licenses: ["MIT"], meta: { k: "v" } });
  // 2,500 packages: the inventory goes in as several multi-row inserts
  const many = Array.from({ length: 2500 }, (_, i) => pkg(`filler-${i}`, "0.0.1"));

  it("first scan: everything new; packages stored", async () => {
    const d = await saveScanResults(database.db, { imageId, scanId: await scan(), inventory: { packages: [x, y, z, ...many] }, findings: [finding(x, "GHSA-aaaa-bbbb-cccc"), finding(y, "CVE-2020-0002")] });
    expect(d.new.map((f) => f.advisoryId)).toEqual(["GHSA-aaaa-bbbb-cccc", "CVE-2020-0002"]);
    expect(d.still).toEqual([]);
    expect(d.resolved).toEqual([]);
    const stored = await loadPackages(database.db, imageId);
    expect(stored).toHaveLength(2503);
    expect(stored[2]).toEqual(z);
  });

  it("second scan: a GHSA gaining its CVE stays 'still' (first seen kept), a vanished one is resolved, a new one is new", async () => {
    const before = await listFindings(database.db, imageId);
    const firstSeenX = before.find((f) => f.advisoryId === "GHSA-aaaa-bbbb-cccc")!.firstSeenAt;
    const d = await saveScanResults(database.db, { imageId, scanId: await scan(), inventory: { packages: [x, z] }, findings: [finding(x, "CVE-2020-0001", ["GHSA-aaaa-bbbb-cccc"]), finding(z, "CVE-2020-0003")] });
    expect(d.still.map((f) => f.advisoryId)).toEqual(["CVE-2020-0001"]);
    expect(d.new.map((f) => f.advisoryId)).toEqual(["CVE-2020-0003"]);
    expect(d.resolved.map((f) => [f.advisoryId, f.packageName])).toEqual([["CVE-2020-0002", "y"]]);
    const open = await listFindings(database.db, imageId);
    expect(open.map((f) => f.advisoryId).sort()).toEqual(["CVE-2020-0001", "CVE-2020-0003"]);
    expect(open.find((f) => f.advisoryId === "CVE-2020-0001")!.firstSeenAt).toEqual(firstSeenX);
    expect((await listFindings(database.db, imageId, { status: "resolved" })).map((f) => f.advisoryId)).toEqual(["CVE-2020-0002"]);
    expect(await loadPackages(database.db, imageId)).toEqual([x, z]);
  });

  it("a resolved finding that comes back is reopened and reported new", async () => {
    const d = await saveScanResults(database.db, { imageId, scanId: await scan(), inventory: { packages: [x, y, z] }, findings: [finding(x, "CVE-2020-0001", ["GHSA-aaaa-bbbb-cccc"]), finding(y, "CVE-2020-0002"), finding(z, "CVE-2020-0003")] });
    expect(d.new.map((f) => f.advisoryId)).toEqual(["CVE-2020-0002"]);
    expect(d.still).toHaveLength(2);
    expect((await listFindings(database.db, imageId)).map((f) => f.advisoryId).sort()).toEqual(["CVE-2020-0001", "CVE-2020-0002", "CVE-2020-0003"]);
    expect(await listFindings(database.db, imageId, { status: "resolved" })).toEqual([]);
  });
});
