/**
 * Benchmark: one batched candidate lookup + match for an inventory vs one query per package.
 * SYNTHETIC data (generated here): Debian 12 advisories (ECOSYSTEM ranges, dpkg versions) over a
 * pool of source package names, with ≥ 500,000 affected ranges (2% of them never fixed), and two
 * images of 2,000 installed packages over the same names:
 *  - "current": versions near the top of each package's history, as in an image built from a
 *    maintained release, so most stored ranges were fixed below them (~1 finding per package);
 *  - "stale": versions drawn uniformly, so about half of every package's ranges affect it
 *    (~10 findings per package: the worst case, every candidate row moves and is evaluated).
 * Timed per image: the batched lookup with the version pre-filter, without it, and 2,000 single
 * (pre-filtered) queries, each followed by the same `match`.
 *
 *   node --import tsx packages/advisory-store/bench/match.bench.ts [--ranges 500000] [--packages 2000] [--backend both|postgres|pglite] [--ingest-only]
 *
 * Postgres: LOOKOUT_BENCH_DATABASE_URL, else a fresh database in the test Postgres (dropped after).
 * Prints one JSON object per backend.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import type { Advisory } from "@lookout/advisories";
import { migrate, openDatabase, type Database } from "@lookout/db";
import type { Package } from "@lookout/domain";
import { match } from "@lookout/matching";
import { createTestDatabase } from "@lookout/testkit";
import { ingestAdvisories, inventoryKeys, lookupCandidates, lookupFrom, type IngestSourceItem } from "../src/index.js";

const { values } = parseArgs({ options: { ranges: { type: "string", default: "500000" }, packages: { type: "string", default: "2000" }, backend: { type: "string", default: "both" }, "ingest-only": { type: "boolean", default: false } } });
const RANGES = Number(values.ranges);
const INSTALLED = Number(values.packages);
const PER_ADVISORY = 5;
const NAMES = 25_000; // ~20 ranges per package name on average

// Deterministic PRNG (mulberry32) so every run sees the same data.
function rng(seed: number) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const nameOf = (i: number) => `bench-pkg-${i}`;

async function* advisories(): AsyncGenerator<IngestSourceItem> {
  const r = rng(42);
  for (let a = 0; a < RANGES / PER_ADVISORY; a++) {
    const affected = Array.from({ length: PER_ADVISORY }, () => {
      const major = Math.floor(r() * 10);
      const minor = Math.floor(r() * 10);
      const unfixed = r() < 0.02;
      return {
        ecosystem: "Debian", ecosystemRelease: "12", name: nameOf(Math.floor(r() * NAMES)), versions: [], severity: [],
        ranges: [{ type: "ECOSYSTEM" as const, events: [{ kind: "introduced" as const, version: "0" }, ...(unfixed ? [] : [{ kind: "fixed" as const, version: `${major}.${minor}-1+deb12u1` }])] }],
      };
    });
    const adv: Advisory = {
      id: `BENCH-${a}`, modified: "2026-01-01T00:00:00Z", aliases: [`CVE-2099-${a}`], related: [], upstream: [], summary: `synthetic ${a}`,
      severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }], references: [], affected,
    };
    yield { ok: adv };
  }
}

function inventory(image: "current" | "stale"): { distro: { id: string; versionId: string }; packages: Package[] } {
  const r = rng(7);
  return {
    distro: { id: "debian", versionId: "12" },
    packages: Array.from({ length: INSTALLED }, (_, i) => {
      const name = nameOf(Math.floor((i * NAMES) / INSTALLED));
      const major = image === "current" ? 9 : Math.floor(r() * 10);
      const version = `${major}.${Math.floor(r() * 10)}-${1 + Math.floor(r() * 3)}`;
      return { type: "dpkg", name, version, ecosystem: "Debian:12", purl: `pkg:deb/debian/${name}@${version}`, path: "/var/lib/dpkg/status" };
    }),
  };
}

/** CPU ms of the database's server processes so far (Linux /proc; PGlite runs in this process). */
async function pgCpuMs(db: Database["db"]): Promise<number> {
  let t = 0;
  try {
    const pids = (await db.execute(sql`select pid from pg_stat_activity where datname = current_database()`)) as unknown as { rows: { pid: number }[] };
    for (const { pid } of pids.rows ?? []) {
      const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      t += (Number(f[11]) + Number(f[12])) * 10;
    }
  } catch { /* PGlite, or not local */ }
  return t;
}

const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function run(kind: "postgres" | "pglite") {
  let database: Database;
  let close = () => database.close();
  if (kind === "pglite") {
    database = await openDatabase({ memory: true });
    await migrate(database.db);
  } else if (process.env.LOOKOUT_BENCH_DATABASE_URL) {
    database = await openDatabase({ url: process.env.LOOKOUT_BENCH_DATABASE_URL });
    await migrate(database.db);
  } else {
    const t = await createTestDatabase();
    database = t;
    close = () => t.drop();
  }
  try {
    const db = database.db;
    const pg0 = await pgCpuMs(db);
    const node0 = process.cpuUsage();
    const t0 = performance.now();
    const ingest = await ingestAdvisories(db, advisories(), { sourceName: "bench", batchSize: 500 });
    const ingestMs = ms(t0);
    const nodeCpu = process.cpuUsage(node0);
    const ingestCpu = { nodeCpuMs: Math.round((nodeCpu.user + nodeCpu.system) / 1000), pgCpuMs: kind === "postgres" ? (await pgCpuMs(db)) - pg0 : undefined };
    const ingestRecordsPerSec = Math.round(((ingest.added + ingest.changed + ingest.unchanged) / ingestMs) * 1000);
    const loadAverage = () => loadavg().map((x) => Math.round(x * 10) / 10);
    if (values["ingest-only"]) return { backend: kind, ranges: RANGES, advisories: ingest.added + ingest.changed + ingest.unchanged, ingestMs, ingestRecordsPerSec, ...ingestCpu, loadAverage: loadAverage() };
    await db.execute(sql`analyze`);
    const images = { current: await timeImage(db, inventory("current")), stale: await timeImage(db, inventory("stale")) };
    return {
      backend: kind, ranges: RANGES, advisories: ingest.added + ingest.changed + ingest.unchanged, ingestWritten: ingest.added + ingest.changed, installedPackages: INSTALLED,
      ingestMs, ingestRecordsPerSec, ...ingestCpu,
      ...images,
      loadAverage: (await import("node:os")).loadavg().map((x) => Math.round(x * 10) / 10),
    };
  } finally {
    await close();
  }
}

async function timeImage(db: Database["db"], inv: ReturnType<typeof inventory>) {
  const keys = inventoryKeys(inv);
  const batched: number[] = [];
  let findings = 0;
  let candidates = 0;
  let t0: number;
  for (let i = 0; i < 7; i++) {
    t0 = performance.now();
    const c = await lookupCandidates(db, keys);
    const f = match(inv, lookupFrom(c));
    batched.push(ms(t0));
    findings = f.length;
    candidates = [...c.values()].reduce((n, l) => n + l.length, 0);
  }
  t0 = performance.now();
  const c = await lookupCandidates(db, keys);
  const lookupOnlyMs = ms(t0);
  t0 = performance.now();
  match(inv, lookupFrom(c));
  const matchOnlyMs = ms(t0);

  const unfilteredKeys = keys.map(({ ecosystem, name }) => ({ ecosystem, name }));
  const unfiltered: number[] = [];
  let unfilteredCandidates = 0;
  for (let i = 0; i < 3; i++) {
    t0 = performance.now();
    const u = await lookupCandidates(db, unfilteredKeys);
    const f = match(inv, lookupFrom(u));
    unfiltered.push(ms(t0));
    unfilteredCandidates = [...u.values()].reduce((n, l) => n + l.length, 0);
    if (f.length !== findings) throw new Error(`pre-filter changed the findings: ${f.length} vs ${findings}`);
  }

  const single: number[] = [];
  for (let i = 0; i < 2; i++) {
    t0 = performance.now();
    const merged = new Map<string, Advisory[]>();
    for (const k of keys) for (const [kk, v] of await lookupCandidates(db, [k])) merged.set(kk, v);
    match(inv, lookupFrom(merged));
    single.push(ms(t0));
  }
  const b = median(batched);
  const s = median(single);
  return {
    keys: keys.length, candidates, findings,
    batchedLookupPlusMatchMs: { median: b, runs: batched }, lookupOnlyMs, matchOnlyMs,
    noPrefilter: { candidates: unfilteredCandidates, lookupPlusMatchMs: { median: median(unfiltered), runs: unfiltered } },
    singleQueriesPlusMatchMs: { median: s, runs: single }, singleOverBatched: Math.round((s / b) * 10) / 10,
  };
}

const backends = values.backend === "both" ? (["postgres", "pglite"] as const) : [values.backend as "postgres" | "pglite"];
for (const b of backends) console.log(JSON.stringify(await run(b)));
