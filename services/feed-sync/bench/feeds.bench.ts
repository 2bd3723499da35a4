/**
 * Benchmark: feed-sync ingest and re-match. SYNTHETIC data generated here:
 * 1. a zip of N OSV records (npm, one affected range each over a pool of package names) is
 *    synced through the real osv source (file:// mirror → readOsvZip → ingestAdvisories) into
 *    Postgres; reported as advisories/s with the process's peak RSS;
 * 2. I inventories are stored (20 packages each, one of 100 "hot" packages among them); a second
 *    zip changes the 100 hot packages' advisories so that every inventory becomes affected; the
 *    sync re-reads the zip (hash-skipping the unchanged rest), then re-matches the I images and
 *    publishes one findingsChanged event each on NATS. Reported: ingest and re-match+publish time.
 *
 *   node --import tsx services/feed-sync/bench/feeds.bench.ts  (or bench/feeds.bench.ts) [--advisories 100000] [--images 10000]
 *
 * Postgres: a fresh database in the test Postgres (dropped after); NATS on 127.0.0.1:4222.
 * Prints one JSON object.
 */
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { Bus } from "@lookout/bus";
import { createLogger } from "@lookout/log";
import { rowsOf, type Database } from "@lookout/db";
import { createTestDatabase } from "@lookout/testkit";
import { osvSource } from "../src/sources/osv/index.js";
import { syncSource } from "../src/sync.js";
import { ZipWriter } from "./zip-writer.js";

const { values } = parseArgs({ options: { advisories: { type: "string", default: "100000" }, images: { type: "string", default: "10000" }, gen: { type: "string" }, changed: { type: "boolean", default: false } } });
const N = Number(values.advisories);
const IMAGES = Number(values.images);
const HOT = 100;
const POOL = 20_000;
const nameOf = (i: number) => `bench-pkg-${i}`;
const hotName = (k: number) => `bench-hot-${k}`;

function record(i: number, changed: boolean): string {
  // The first HOT records name the hot packages: fixed at 0.0.1 (not affecting 1.0.0), then at 9.9.9.
  const hot = i < HOT;
  const name = hot ? hotName(i) : nameOf(i % POOL);
  const fixed = hot ? (changed ? "9.9.9" : "0.0.1") : `0.${i % 10}.${i % 7}`; // the pool never affects the installed 1.0.0
  return JSON.stringify({
    id: `BENCH-${i}`, modified: hot && changed ? "2026-02-01T00:00:00Z" : "2026-01-01T00:00:00Z", aliases: [`CVE-2099-${1_000_000 + i}`],
    summary: `synthetic advisory ${i}`, severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }],
    affected: [{ package: { ecosystem: "npm", name }, ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed }] }] }],
  });
}

/** Child mode: write the zip (kept out of the measured process's heap and RSS). */
async function generate(path: string, changed: boolean): Promise<void> {
  const zip = new ZipWriter(path);
  for (let i = 0; i < N; i++) await zip.add(`BENCH-${i}.json`, Buffer.from(record(i, changed)));
  await zip.close();
}

function genZip(dir: string, changed: boolean): void {
  const r = spawnSync(process.execPath, ["--import", "tsx", import.meta.filename, "--gen", join(dir, "npm", "all.zip"), "--advisories", String(N), ...(changed ? ["--changed"] : [])], { stdio: "inherit" });
  if (r.status !== 0) throw new Error("zip generation failed");
}

/** CPU ms used by this process and by the database's server processes (Linux /proc; 0 where unreadable). */
async function cpuNow(db: Database["db"]): Promise<{ node: number; pg: Map<number, number> }> {
  const c = process.cpuUsage();
  const pids = rowsOf<{ pid: number }>(await db.execute(sql`select pid from pg_stat_activity where datname = current_database()`));
  const pg = new Map<number, number>();
  const tick = 1000 / 100; // USER_HZ
  for (const { pid } of pids) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      pg.set(pid, (Number(f[11]) + Number(f[12])) * tick);
    } catch { /* not local, or gone */ }
  }
  return { node: (c.user + c.system) / 1000, pg };
}
function cpuSince(a: { node: number; pg: Map<number, number> }, b: { node: number; pg: Map<number, number> }) {
  let pg = 0;
  for (const [pid, t] of b.pg) pg += t - (a.pg.get(pid) ?? 0);
  return { nodeCpuMs: Math.round(b.node - a.node), pgCpuMs: Math.round(pg) };
}

async function main() {
  const load0 = loadavg().map((x) => Math.round(x * 10) / 10);
  const dir = await mkdtemp(join(tmpdir(), "lk-feeds-bench-"));
  await mkdir(join(dir, "npm"));
  const database = await createTestDatabase();
  const bus = await Bus.connect({ servers: "nats://127.0.0.1:4222", namespace: `bench${process.pid}` });
  await bus.declare();
  // The log tells when a sync's ingest ends and its re-match starts, so peak RSS is kept per phase.
  let phase: "ingest" | "rematch" = "ingest";
  const log = createLogger({ service: "bench", level: "info", destination: { write: (line: string) => { if (line.includes('"msg":"part ingested"')) phase = "rematch"; } } });
  let peakRss = 0;
  let peakIngestRss = 0;
  const sampler = setInterval(() => {
    const rss = process.memoryUsage().rss;
    peakRss = Math.max(peakRss, rss);
    if (phase === "ingest") peakIngestRss = Math.max(peakIngestRss, rss);
  }, 20);
  try {
    const deps = { db: database.db, bus, namespace: "bench", log, timeoutMs: 3_600_000, fetch: () => Promise.reject(new Error("offline")), maxBytes: 2 ** 31, batchSize: 1000 };
    const src = osvSource(pathToFileURL(dir).toString(), ["npm"]);
    genZip(dir, false);
    let c0 = await cpuNow(database.db);
    let t = performance.now();
    const first = await syncSource(deps, src, "manual");
    const ingestMs = performance.now() - t;
    const ingestCpu = cpuSince(c0, await cpuNow(database.db));
    if (first.status !== "succeeded" || first.counts?.added !== N) throw new Error(`first sync: ${JSON.stringify(first)}`);
    const ingestRss = peakRss;

    // I images, 20 packages each: 19 from the pool + one hot package (hot k held by images i ≡ k mod 100).
    t = performance.now();
    await database.db.execute(sql`insert into repositories (registry_host, name) values ('bench.local', 'bench/app')`);
    await database.db.execute(sql`insert into images (repository_id, digest) select 1, 'sha256:' || lpad(to_hex(g), 64, '0') from generate_series(1, ${IMAGES}) g`);
    await database.db.execute(sql`insert into scans (image_id, status, reason) select id, 'succeeded', 'bench' from images`);
    await database.db.execute(sql`insert into packages (image_id, scan_id, type, ecosystem, name, version, match_name, match_version, purl, path)
      select s.image_id, s.id, 'npm', 'npm', n.name, '1.0.0', n.name, '1.0.0', 'pkg:npm/' || n.name || '@1.0.0', 'app/node_modules/' || n.name
      from scans s cross join lateral (
        select 'bench-pkg-' || ((s.image_id * 37 + j * 1009) % ${POOL}) as name from generate_series(1, 19) j
        union all select 'bench-hot-' || (s.image_id % ${HOT})) n`);
    const seedMs = performance.now() - t;

    genZip(dir, true);
    peakRss = 0;
    peakIngestRss = 0;
    phase = "ingest";
    c0 = await cpuNow(database.db);
    t = performance.now();
    const second = await syncSource(deps, src, "manual");
    const changeMs = performance.now() - t;
    const changeCpu = cpuSince(c0, await cpuNow(database.db));
    const changeRss = peakRss;
    const changeIngestRss = peakIngestRss;
    peakRss = 0;
    if (second.counts?.changed !== HOT || second.rematch?.images !== IMAGES) throw new Error(`second sync: ${JSON.stringify({ counts: { ...second.counts, changedKeys: second.counts?.changedKeys?.length }, rematch: second.rematch })}`);
    // Re-match alone, timed on its own: undo the findings and run it again for the same keys.
    await database.db.execute(sql`delete from findings`);
    const { rematch } = await import("../src/rematch/index.js");
    c0 = await cpuNow(database.db);
    t = performance.now();
    const rm2 = await rematch({ db: database.db, bus, log }, second.counts.changedKeys ?? [], `bench-${Date.now()}`);
    const rematchMs = performance.now() - t;
    const rematchCpu = cpuSince(c0, await cpuNow(database.db));
    if (rm2.images !== IMAGES || rm2.events !== IMAGES) throw new Error(`rematch: ${JSON.stringify(rm2)}`);
    console.log(JSON.stringify({
      bench: "feeds", backend: "postgres", advisories: N,
      loadAverageBefore: load0,
      ingest: { ms: Math.round(ingestMs), advisoriesPerSecond: Math.round(N / (ingestMs / 1000)), peakRssMiB: Math.round(ingestRss / 1048576), ...ingestCpu, target: ">= 10000/s, < 300 MiB" },
      seedInventories: { images: IMAGES, packagesEach: 20, ms: Math.round(seedMs) },
      changedFeed: { changed: HOT, ms: Math.round(changeMs), peakRssMiB: Math.round(changeRss / 1048576), ingestPeakRssMiB: Math.round(changeIngestRss / 1048576), ...changeCpu, note: "re-reads the whole zip (hash-skips the unchanged), then re-matches and publishes" },
      rematch: { images: rm2.images, newFindings: rm2.new, events: rm2.events, ms: Math.round(rematchMs), ...rematchCpu, peakRssMiB: Math.round(peakRss / 1048576), target: "< 10000 ms" },
      loadAverageAfter: loadavg().map((x) => Math.round(x * 10) / 10),
    }));
  } finally {
    clearInterval(sampler);
    await bus.deleteStream().catch(() => {});
    await bus.nc.close();
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (values.gen) await generate(values.gen, values.changed);
else await main();
