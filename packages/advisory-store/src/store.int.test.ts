import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseOsvJson, readOsvDir, type Advisory } from "@lookout/advisories";
import { migrate, openDatabase, rowsOf, type Database } from "@lookout/db";
import { match, normalizePackageName } from "@lookout/matching";
import { createTestDatabase } from "@lookout/testkit";
import { sql } from "drizzle-orm";
import { ingestAdvisories, inventoryKeys, keyOf, lookupCandidates, lookupFrom, type IngestSourceItem } from "./index.js";

const OSV = new URL("../testdata/osv/", import.meta.url).pathname;
const record = async (file: string): Promise<Advisory> => parseOsvJson(await readFile(join(OSV, file), "utf8"));
/** What a lookup hands back for a stored record: all but `details` and `references` (matching reads neither). */
const lookedUp = ({ details: _details, ...a }: Advisory): Advisory => ({ ...a, references: [] });
async function* items(...advs: Advisory[]): AsyncGenerator<IngestSourceItem> {
  for (const a of advs) yield { ok: a };
}

const backends: [string, () => Promise<Database & { drop?: () => Promise<void> }>][] = [
  ["postgres", () => createTestDatabase()],
  ["pglite", async () => {
    const d = await openDatabase({ memory: true });
    await migrate(d.db);
    return d;
  }],
];

describe.each(backends)("advisory store on %s", (_name, open) => {
  let database: Database & { drop?: () => Promise<void> };
  let dir: string;
  beforeAll(async () => {
    database = await open();
    // The real records plus one broken file: it is counted and skipped, never fatal.
    dir = await mkdtemp(join(tmpdir(), "lk-advstore-"));
    await cp(OSV, dir, { recursive: true });
    await writeFile(join(dir, "broken.json"), "{ not json");
  });
  afterAll(async () => {
    await (database.drop ? database.drop() : database.close());
    await rm(dir, { recursive: true, force: true });
  });

  const snapshot = async () => rowsOf<{ id: string; updated_at: unknown; range_ids: string }>(await database.db.execute(sql`
    select a.id, a.updated_at::text as updated_at, (select string_agg(r.id::text, ',' order by r.id) from affected_ranges r where r.advisory_id = a.id) as range_ids
    from advisories a order by a.id`));

  it("ingests real OSV records; the second run of the same records writes nothing", async () => {
    const rejects: string[] = [];
    const first = await ingestAdvisories(database.db, readOsvDir(dir), { sourceName: "test", batchSize: 3, onReject: (e) => rejects.push(String(e)) });
    expect(first).toMatchObject({ added: 6, changed: 0, unchanged: 0, withdrawn: 1, rejected: 1 });
    expect(rejects).toEqual(["broken.json"]);
    expect(first.changedKeys).toEqual(expect.arrayContaining([{ ecosystem: "Debian", name: "tzdata" }, { ecosystem: "Go", name: "k8s.io/kubernetes" }]));
    const before = await snapshot();
    expect(before).toHaveLength(7);

    const second = await ingestAdvisories(database.db, readOsvDir(dir), { sourceName: "test" });
    expect(second).toEqual({ added: 0, changed: 0, unchanged: 7, withdrawn: 0, rejected: 1, changedKeys: [] });
    expect(await snapshot()).toEqual(before); // no row rewritten: same updated_at, same range row ids
  });

  it("a changed record is rewritten and its ranges replaced atomically", async () => {
    const orig = await record("DLA-3051-1.json");
    const changed: Advisory = structuredClone(orig);
    changed.modified = "2026-01-01T00:00:00Z";
    changed.affected[0]!.ranges[0]!.events = [{ kind: "introduced", version: "0" }, { kind: "fixed", version: "2021a-0+deb9u9" }];
    const r = await ingestAdvisories(database.db, items(changed), { sourceName: "test" });
    expect(r).toEqual({ added: 0, changed: 1, unchanged: 0, withdrawn: 0, rejected: 0, changedKeys: [{ ecosystem: "Debian", name: "tzdata" }] });
    const rows = rowsOf<{ ranges: unknown }>(await database.db.execute(sql`select ranges from affected_ranges where advisory_id = 'DLA-3051-1'`));
    expect(rows).toEqual([{ ranges: changed.affected[0]!.ranges }]);
    const cands = await lookupCandidates(database.db, [{ ecosystem: "Debian", name: "tzdata" }]);
    expect(cands.get(keyOf("Debian", "tzdata"))).toEqual([changed]);
    // and back, so later tests see the real record
    expect((await ingestAdvisories(database.db, items(orig), { sourceName: "test" })).changed).toBe(1);
  });

  it("lookup returns exactly the candidates per key, rebuilt as parsed (withdrawn included)", async () => {
    const keys = [
      { ecosystem: "Debian", name: "tzdata" },
      { ecosystem: "Debian", name: "openssl" },
      { ecosystem: "Debian", name: "nginx" },
      { ecosystem: "PyPI", name: normalizePackageName("PyPI", "Products.PluggableAuthService") },
      { ecosystem: "Go", name: "k8s.io/kubernetes" },
      { ecosystem: "Debian", name: "no-such-package" },
      { ecosystem: "npm", name: "tzdata" },
    ];
    const cands = await lookupCandidates(database.db, keys);
    expect([...cands.keys()].sort()).toEqual([keys[0], keys[1], keys[2], keys[3], keys[4]].map((k) => keyOf(k!.ecosystem, k!.name)).sort());
    expect(cands.get(keyOf("Debian", "tzdata"))).toEqual([lookedUp(await record("DLA-3051-1.json"))]);
    expect(cands.get(keyOf("Debian", "openssl"))).toEqual([lookedUp(await record("DLA-3008-1.json"))]);
    expect(cands.get(keyOf("Debian", "nginx"))).toEqual([lookedUp(await record("DSA-3029-1.json"))]);
    expect(cands.get(keyOf("PyPI", "products-pluggableauthservice"))).toEqual([lookedUp(await record("pypi_normalize.osv.json"))]);
    const withdrawn = cands.get(keyOf("Go", "k8s.io/kubernetes"));
    expect(withdrawn).toEqual([lookedUp(await record("GO-2022-0617.withdrawn.json"))]);
    expect(withdrawn![0]!.withdrawn).toBe("2024-08-21T16:25:56Z");
  });

  it("inventory keys + lookup feed match: a Debian 9 tzdata below the DLA fix is found", async () => {
    const inventory = {
      distro: { id: "debian", versionId: "9" },
      packages: [
        { type: "dpkg", name: "tzdata", version: "2020a-0+deb9u1", ecosystem: "Debian:9", purl: "pkg:deb/debian/tzdata@2020a-0%2Bdeb9u1", path: "/var/lib/dpkg/status" },
        { type: "dpkg", name: "libssl1.1", sourceName: "openssl", version: "1.1.0l-1~deb9u6", ecosystem: "Debian:9", purl: "pkg:deb/debian/libssl1.1", path: "/var/lib/dpkg/status" },
      ],
    };
    const keys = inventoryKeys(inventory);
    expect(keys).toEqual(expect.arrayContaining([expect.objectContaining({ ecosystem: "Debian", name: "tzdata" }), expect.objectContaining({ ecosystem: "Debian", name: "openssl" })]));
    const findings = match(inventory, lookupFrom(await lookupCandidates(database.db, keys)));
    expect(findings.map((f) => [f.packageName, f.advisoryId, f.fixedVersions])).toEqual([["tzdata", "DLA-3051-1", ["2021a-0+deb9u4"]]]);
  });

  it("the version pre-filter drops only entries fixed below every installed version; findings unchanged", async () => {
    // libssl1.1 (source openssl) at DLA-3008-1's fixed version: that fix is the entry's upper bound, so it still
    // comes back (the bound is inclusive); one version above it, it does not. tzdata below its fix always does.
    const pkgs = (opensslVersion: string) => ({
      distro: { id: "debian", versionId: "9" },
      packages: [
        { type: "dpkg", name: "tzdata", version: "2020a-0+deb9u1", ecosystem: "Debian:9", purl: "pkg:deb/debian/tzdata", path: "/var/lib/dpkg/status" },
        { type: "dpkg", name: "libssl1.1", sourceName: "openssl", version: opensslVersion, ecosystem: "Debian:9", purl: "pkg:deb/debian/libssl1.1", path: "/var/lib/dpkg/status" },
      ],
    });
    const ids = (m: Map<string, Advisory[]>) => [...m.values()].flat().map((a) => a.id).sort();
    for (const [version, expected] of [["1.1.0l-1~deb9u6", ["DLA-3008-1", "DLA-3051-1"]], ["1.1.0l-1~deb9u7", ["DLA-3051-1"]], ["1.1.0l-1~deb9u5", ["DLA-3008-1", "DLA-3051-1"]]] as const) {
      const inv = pkgs(version);
      const keys = inventoryKeys(inv);
      const filtered = await lookupCandidates(database.db, keys);
      const unfiltered = await lookupCandidates(database.db, keys.map(({ ecosystem, name }) => ({ ecosystem, name })));
      expect(ids(filtered)).toEqual(expected);
      expect(ids(unfiltered)).toEqual(["DLA-3008-1", "DLA-3051-1"]);
      expect(match(inv, lookupFrom(filtered))).toEqual(match(inv, lookupFrom(unfiltered)));
    }
  });

  it("withdrawn records: filtered by their bound like any other, never matched when returned", async () => {
    // Retraction of stored findings asks the advisories table itself (feed-sync rematch), so
    // the lookup need not return withdrawn records the installed version is above.
    const inv = { packages: [{ type: "go-module", name: "k8s.io/kubernetes", version: "v1.99.0", ecosystem: "Go", purl: "pkg:golang/k8s.io/kubernetes@v1.99.0", path: "/bin/x" }] };
    const keys = inventoryKeys(inv);
    expect(keys[0]!.versionKey).not.toBeNull();
    // Its ranges are SEMVER (no ecosystem sort key, so no stored bound): it passes the filter.
    const filtered = await lookupCandidates(database.db, keys);
    expect([...filtered.values()].flat().map((a) => a.id)).toEqual(["GO-2022-0617"]);
    expect(match(inv, lookupFrom(filtered))).toEqual([]);
  });
  it("text and JSON holding quotes, backslashes, braces, commas, NULL, newlines and non-ASCII round-trip exactly", async () => {
    const nasty = 'a "quoted" \\back\\slash {brace}, NULL\n\ttab é 漢 😀 \\"';
    const adv: Advisory = {
      id: "LKT-NASTY-1", modified: "2026-01-01T00:00:00Z", aliases: ["CVE-2099-1", 'AL"IAS,{x}\\'], related: [], upstream: [],
      summary: nasty, details: `${nasty}\r\n${nasty}`, severity: [{ type: "Ubuntu", score: nasty }], references: [{ type: "WEB", url: `https://x/?q=${nasty}` }],
      affected: [{
        ecosystem: "npm", name: "nasty-pkg", purl: `pkg:npm/nasty-pkg?x=${nasty}`, versions: ["1.0.0", 'v"2\\', "NULL", "{}"], severity: [],
        ranges: [{ type: "SEMVER", events: [{ kind: "introduced", version: "0" }, { kind: "fixed", version: "2.0.0" }] }], status: nasty,
      }],
    };
    const r = await ingestAdvisories(database.db, items(adv), { sourceName: "test" });
    expect(r).toMatchObject({ added: 1 });
    expect((await lookupCandidates(database.db, [{ ecosystem: "npm", name: "nasty-pkg" }])).get(keyOf("npm", "nasty-pkg"))).toEqual([lookedUp(adv)]);
    const doc = rowsOf<{ details: string; references: unknown }>(await database.db.execute(sql`select doc->>'details' as details, doc->'references' as references from advisories where id = 'LKT-NASTY-1'`))[0];
    expect(doc).toEqual({ details: adv.details, references: adv.references });
    const row = rowsOf<{ aliases: string[]; summary: string }>(await database.db.execute(sql`select aliases, summary from advisories where id = 'LKT-NASTY-1'`))[0];
    expect(row).toEqual({ aliases: adv.aliases, summary: nasty });
    expect((await ingestAdvisories(database.db, items(adv), { sourceName: "test" })).unchanged).toBe(1);
  });

  it("a batch is written when its records' bytes reach batchBytes, whatever batchSize says", async () => {
    async function* feed(): AsyncGenerator<IngestSourceItem> {
      for (let i = 0; i < 10; i++) {
        yield { ok: { id: `LKT-BYTES-${i}`, modified: "2026-01-01T00:00:00Z", aliases: [], related: [], upstream: [], severity: [], references: [], affected: [] }, bytes: 1000 };
      }
    }
    const seen: number[] = [];
    const r = await ingestAdvisories(database.db, feed(), { sourceName: "test", batchSize: 500, batchBytes: 2500, onBatch: (t) => seen.push(t.added) });
    expect(r.added).toBe(10);
    expect(seen).toEqual([3, 6, 9, 10]);
    await database.db.execute(sql`delete from advisories where id like 'LKT-BYTES-%'`); // no ranges
  });

  it("a batch the database refuses fails the ingest with its error; the batches before it stay committed", async () => {
    const ok = (i: number): Advisory => ({ id: `LKT-B-${i}`, modified: "2026-01-01T00:00:00Z", aliases: [], related: [], upstream: [], severity: [], references: [], affected: [] });
    async function* feed(): AsyncGenerator<IngestSourceItem> {
      for (let i = 0; i < 4; i++) yield { ok: ok(i) };
      yield { ok: { ...ok(4), summary: "nul \u0000 byte" } }; // Postgres text cannot hold U+0000
      for (let i = 5; i < 8; i++) yield { ok: ok(i) };
    }
    await expect(ingestAdvisories(database.db, feed(), { sourceName: "test", batchSize: 2 })).rejects.toThrow();
    const ids = rowsOf<{ id: string }>(await database.db.execute(sql`select id from advisories where id like 'LKT-B-%' order by id`)).map((x) => x.id);
    expect(ids).toEqual(["LKT-B-0", "LKT-B-1", "LKT-B-2", "LKT-B-3"]);
    await database.db.execute(sql`delete from affected_ranges where advisory_id = 'LKT-NASTY-1'`);
    await database.db.execute(sql`delete from advisories where id like 'LKT-B-%' or id = 'LKT-NASTY-1'`);
  });
});
