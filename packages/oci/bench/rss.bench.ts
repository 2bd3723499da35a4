/**
 * Peak-RSS check: reconstruct one large gzip layer (default ≥ 1 GiB uncompressed: a 768 MiB
 * zero file, 256 MiB of random data and a few small files) and print the process's peak RSS.
 * The layer is generated with tar + gzip in a child shell so generation does not count.
 *
 *   pnpm exec tsx packages/oci/bench/rss.bench.ts [--zstd]
 *
 * --zstd compresses the same tree with `zstd -3` (decompressed on a worker thread).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DigestVerifier, scanLayer } from "../src/index.js";

const zstd = process.argv.includes("--zstd");
const dir = await mkdtemp(join(tmpdir(), "lkt-rss-"));
try {
  const root = join(dir, "root");
  await mkdir(join(root, "var/lib/dpkg"), { recursive: true });
  execFileSync("sh", [
    "-c",
    `cd ${root} && head -c 805306368 /dev/zero > zeros && head -c 268435456 /dev/urandom > random && printf 'Package: a\\n' > var/lib/dpkg/status && tar cf - . | ${zstd ? "zstd -q -3" : "gzip -1"} > ${dir}/layer.blob`,
  ]);
  await rm(root, { recursive: true });
  const blob = join(dir, "layer.blob");
  const h = createHash("sha256");
  for await (const c of createReadStream(blob, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
  const digest = `sha256:${h.digest("hex")}`;
  const size = (await stat(blob)).size;
  const before = process.resourceUsage().maxRSS;
  const t0 = Date.now();
  const raw = createReadStream(blob, { highWaterMark: 1 << 20 }).pipe(new DigestVerifier(digest, size, "layer"));
  const out = await scanLayer(raw, { digest, mediaType: `application/vnd.oci.image.layer.v1.tar+${zstd ? "zstd" : "gzip"}`, wants: (p) => p.startsWith("/var/lib/dpkg/"), scratchDir: join(dir, "scratch") });
  console.log(
    JSON.stringify({
      compression: zstd ? "zstd" : "gzip",
      compressedMB: Math.round(size / 1e6),
      expandedMB: Math.round(out.stats.expandedBytes / 1e6),
      kept: [...out.files.keys()],
      ms: Date.now() - t0,
      peakRssMBBeforeScan: Math.round(before / 1024),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
