/**
 * Scan cost on a real-content image: a Debian layer (this host's /var/lib/dpkg, /etc/os-release,
 * /usr/lib/python3 — real dpkg and Python metadata) and an npm layer (this repo's installed
 * node_modules/.pnpm tree), written as an OCI layout. Measured in one run on the same blobs:
 *  - `gzip -dc` of the layers (baseline),
 *  - reconstruction streaming every layer with no cataloger (what a scan costs without cataloging),
 *  - inventory with every cataloger (cataloging overhead = inventory / no-catalog − 1; nine
 *    interleaved pairs: min wall, min process CPU time, and the median of the pairs' ratios),
 *  - `lookout scan` end to end with a warm embedded database (process wall time).
 * Prints JSON.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { openOciLayout } from "@lookout/oci";
import { buildInventory, MemoryLayerCache } from "@lookout/inventory";
import { inventoryOf } from "@lookout/scan-pipeline";

const root = join(import.meta.dirname, "..");
const work = mkdtempSync(join(tmpdir(), "lk-scanbench-"));
const layout = join(work, "image");
mkdirSync(join(layout, "blobs", "sha256"), { recursive: true });

function layer(name: string, tarArgs: string[]) {
  const tgz = join(work, `${name}.tar.gz`);
  execFileSync("sh", ["-c", `tar -c ${tarArgs.join(" ")} 2>/dev/null | gzip -1 > ${tgz}`]);
  const gz = readFileSync(tgz);
  const digest = createHash("sha256").update(gz).digest("hex");
  const diffId = execFileSync("sh", ["-c", `gzip -dc ${tgz} | sha256sum`]).toString().split(" ")[0];
  renameSync(tgz, join(layout, "blobs", "sha256", digest));
  return { desc: { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: `sha256:${digest}`, size: gz.length }, diffId: `sha256:${diffId}` };
}
const put = (b: Buffer) => {
  const d = createHash("sha256").update(b).digest("hex");
  writeFileSync(join(layout, "blobs", "sha256", d), b);
  return { digest: `sha256:${d}`, size: b.length };
};

const t = (f: () => unknown) => { const s = performance.now(); f(); return performance.now() - s; };
const ta = async (f: () => Promise<unknown>) => { const s = performance.now(); await f(); return performance.now() - s; };

const debian = layer("debian", ["-C", "/", "var/lib/dpkg", "etc/os-release", "usr/lib/python3"]);
const npm = layer("npm", ["-C", root, "--transform", "s,^node_modules,app/node_modules,", "node_modules/.pnpm"]);
const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: {}, rootfs: { type: "layers", diff_ids: [debian.diffId, npm.diffId] } }));
const cfg = put(config);
const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "application/vnd.oci.image.config.v1+json", ...cfg }, layers: [debian.desc, npm.desc] }));
const m = put(manifest);
writeFileSync(join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
writeFileSync(join(layout, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", ...m, annotations: { "org.opencontainers.image.ref.name": "bench" } }] }));

const blobs = [debian, npm].map((l) => join(layout, "blobs", "sha256", l.desc.digest.slice(7)));
const gzipDc = Math.min(...[0, 1, 2].map(() => t(() => execFileSync("sh", ["-c", `for f in ${blobs.join(" ")}; do gzip -dc $f > /dev/null; done`]))));

const resolved = await openOciLayout(layout, "bench");
if (resolved.kind !== "images") throw new Error("bench image is not an image");
const src = resolved.images[0]!;
const scratch = (n: string) => { const d = join(work, n + Math.random()); mkdirSync(d); return d; };
// Interleaved pairs (no-catalog, then every cataloger) so load drift on a shared machine hits
// both alike; wall and process CPU time (main thread + thread pool: zlib, fs) per run. A full
// GC before each run: otherwise one run's garbage is collected, and billed, in the next (which
// moved single figures by ±5 points).
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const settle = async () => { gc(); await new Promise((r) => setTimeout(r, 10)); };
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const runs: { nc: number; c: number; ncCpu: number; cCpu: number }[] = [];
let packages = 0;
for (let i = 0; i < 9; i++) {
  await settle();
  let c0 = cpuMs();
  const nc = await ta(() => buildInventory(src, { catalogers: [], scratchDir: scratch("nc") }));
  const ncCpu = cpuMs() - c0;
  await settle();
  c0 = cpuMs();
  const c = await ta(async () => { packages = (await inventoryOf(src, { scratchDir: scratch("c") })).packages.length; });
  runs.push({ nc, c, ncCpu, cCpu: cpuMs() - c0 });
}
const min = (xs: number[]) => Math.min(...xs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const noCatalog = min(runs.map((r) => r.nc));
const withCatalog = min(runs.map((r) => r.c));
const noCatalogCpu = min(runs.map((r) => r.ncCpu));
const withCatalogCpu = min(runs.map((r) => r.cCpu));

// A second image sharing the first's layers except a small top one: with the layer cache warm from
// the first, only the new layer is read.
const small = layer("small", ["-C", root, "README.md"]);
const config2 = put(Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: {}, rootfs: { type: "layers", diff_ids: [debian.diffId, npm.diffId, small.diffId] } })));
const manifest2 = put(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config2 }, layers: [debian.desc, npm.desc, small.desc] })));
writeFileSync(join(layout, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [
  { mediaType: "application/vnd.oci.image.manifest.v1+json", ...m, annotations: { "org.opencontainers.image.ref.name": "bench" } },
  { mediaType: "application/vnd.oci.image.manifest.v1+json", ...manifest2, annotations: { "org.opencontainers.image.ref.name": "bench2" } },
] }));
const second = await openOciLayout(layout, "bench2");
if (second.kind !== "images") throw new Error("bench2 is not an image");
const cache = new MemoryLayerCache(16);
const firstCold = await ta(() => inventoryOf(src, { scratchDir: scratch("s1"), cache }));
const secondWarm = await ta(() => inventoryOf(second.images[0]!, { scratchDir: scratch("s2"), cache }));

// `lookout scan` end to end: warm embedded database (an import run first), process wall time.
const env = { ...process.env, LOOKOUT_DATA_DIR: join(work, "data"), DATABASE_URL: "" };
const osv = join(root, "test/fixtures/osv");
spawnSync(process.execPath, ["--import", "tsx", join(root, "packages/cli/src/main.ts"), "db", "import", osv], { env, cwd: root });
// A failed scan would be a fast one: its exit status and package count are checked.
const scanOnce = () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(root, "packages/cli/src/main.ts"), "scan", `${layout}:bench`, "--format", "json"], { env, cwd: root, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`lookout scan exited ${r.status}: ${r.stderr.toString().slice(-500)}`);
  return r.stdout;
};
const scanWall = Math.min(...[0, 1].map(() => t(scanOnce)));
const scannedPackages = (JSON.parse(scanOnce().toString()) as { packageCount: number }).packageCount;
if (scannedPackages !== packages) throw new Error(`lookout scan saw ${scannedPackages} packages, the inventory ${packages}`);

rmSync(work, { recursive: true, force: true });
const r = (x: number) => Math.round(x * 100) / 100;
console.log(JSON.stringify({
  name: "scan (Debian dpkg + Python + npm image)",
  compressedMB: Math.round((debian.desc.size + npm.desc.size) / 1e6), packages,
  ms: { gzipDc: Math.round(gzipDc), streamNoCatalog: Math.round(noCatalog), inventory: Math.round(withCatalog), lookoutScanWall: Math.round(scanWall), firstImageColdCache: Math.round(firstCold), secondImageSharedLayers: Math.round(secondWarm) },
  cpuMs: { streamNoCatalog: Math.round(noCatalogCpu), inventory: Math.round(withCatalogCpu) },
  ratios: {
    catalogOverhead: r(withCatalog / noCatalog - 1),
    catalogOverheadCpu: r(withCatalogCpu / noCatalogCpu - 1),
    catalogOverheadPairsMedian: r(median(runs.map((x) => x.c / x.nc)) - 1),
    inventoryVsGzipDc: r(withCatalog / gzipDc),
    lookoutScanVsGzipDc: r(scanWall / gzipDc),
    secondImageVsFirst: r(secondWarm / firstCold),
  },
}, null, 1));
