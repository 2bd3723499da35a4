import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DigestVerifier, WORKER_HASH_MIN } from "../digest.js";
import { codeOf } from "../testing/errors.js";
import { LAYER_MEDIA_TYPE, compressLayer, makeTar, type Compression, type TarEntry } from "../testing/tar.js";
import { chunked, digestOf } from "../testing/bytes.js";
import { scanLayer, type LayerContents, type ScanLayerOptions } from "./scan-layer.js";

// A big gzip/zstd blob read through a DigestVerifier takes the fused path: decompressed on a
// worker that also hashes it (the verifier only counts bytes and is settled afterwards). The
// same blob without a declared size takes the former path (gzip inflated on the main thread,
// hash inline; zstd on a worker without hashing). Both must give the same files and the same
// typed errors.

let scratch: string;
let n = 0;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "lkt-fused-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});


type Path = "fused" | "former";

function scan(blob: Buffer, c: Compression, path: Path, extra: Partial<ScanLayerOptions> & { digest?: string; size?: number } = {}) {
  const digest = extra.digest ?? digestOf(blob);
  // Without a declared size the verifier keeps hashing itself (never offloads).
  const size = path === "fused" ? (extra.size ?? blob.length) : undefined;
  const raw = chunked(blob).pipe(new DigestVerifier(digest, size, "blob"));
  return scanLayer(raw, { digest, mediaType: LAYER_MEDIA_TYPE[c], wants: (p) => p.startsWith("/etc/"), scratchDir: join(scratch, String(++n)), ...extra });
}

async function snapshot(out: LayerContents) {
  const files: Record<string, string> = {};
  for (const [p, f] of out.files) files[p] = digestOf(f.bytes ?? (await readFile(f.hostPath!)));
  return { files, symlinks: [...out.symlinks], whiteouts: out.whiteouts, unknowns: out.unknowns, stats: out.stats };
}

// Over WORKER_HASH_MIN compressed: 5 MiB of random data comes out of gzip/zstd about as big.
const random = randomBytes(5 << 20);
const text = Buffer.from("Package: libc6\nVersion: 2.36-9\n".repeat(100_000));
const entries: TarEntry[] = [
  { name: "usr/lib/blob.so", content: random },
  { name: "etc/big.conf", content: Buffer.concat([text, random.subarray(0, 3 << 20)]) },
  { name: "etc/alt", type: "symlink", linkname: "../usr/lib/blob.so" },
  { name: "etc/.wh.passwd" },
  { name: `etc/${"long-name-".repeat(20)}`, content: "pax path" },
  { name: "etc/hard", type: "link", linkname: "etc/big.conf" },
  { name: "usr/share/doc/x", content: text },
];
let tarBytes: Buffer;
beforeAll(async () => {
  tarBytes = await makeTar(entries);
});

describe.each(["gzip", "zstd"] as const)("fused decompress + digest (%s)", (c) => {
  it("gives the same files, links and stats as the former path", async () => {
    const blob = compressLayer(tarBytes, c);
    expect(blob.length).toBeGreaterThan(WORKER_HASH_MIN);
    const fused = await snapshot(await scan(blob, c, "fused"));
    const former = await snapshot(await scan(blob, c, "former"));
    expect(fused).toEqual(former);
    expect(fused.files["/etc/big.conf"]).toBe(digestOf(Buffer.concat([text, random.subarray(0, 3 << 20)])));
    expect(Object.keys(fused.files).sort()).toEqual(["/etc/big.conf", "/etc/hard", `/etc/${"long-name-".repeat(20)}`]);
    expect(fused.stats.expandedBytes).toBe(tarBytes.length);
  });

  it("gives the same typed errors: wrong digest, wrong size, truncation, bomb", async () => {
    const blob = compressLayer(tarBytes, c);
    const both = async (b: Buffer, extra: Parameters<typeof scan>[3] = {}) => [await codeOf(scan(b, c, "fused", extra)), await codeOf(scan(b, c, "former", extra))];
    // Content intact, digest not the blob's.
    expect(await both(blob, { digest: digestOf(Buffer.from("other")) })).toEqual(["LKT_ERR_DIGEST_MISMATCH", "LKT_ERR_DIGEST_MISMATCH"]);
    // Declared one byte longer (fused only: the former path has no declared size).
    expect(await codeOf(scan(blob, c, "fused", { size: blob.length + 1 }))).toBe("LKT_ERR_DIGEST_MISMATCH");
    expect(await codeOf(scan(blob, c, "fused", { size: blob.length - 1 }))).toBe("LKT_ERR_DIGEST_MISMATCH");
    // Cut short, with the digest of what is there: the decompressor says so.
    const cut = blob.subarray(0, blob.length - 1000);
    expect(await both(cut)).toEqual(["LKT_ERR_LAYER_CORRUPT", "LKT_ERR_LAYER_CORRUPT"]);
    // A bomb behind 5 MiB of incompressible data.
    const bomb = compressLayer(await makeTar([{ name: "r", content: random }, { name: "zeros", content: Buffer.alloc(256 << 20) }]), c);
    expect(bomb.length).toBeGreaterThan(WORKER_HASH_MIN);
    expect(await both(bomb, { limits: { maxExpandedBytes: 16 << 20 } })).toEqual(["LKT_ERR_LAYER_LIMIT", "LKT_ERR_LAYER_LIMIT"]);
    // A tampered byte in the middle: corrupt data or a digest mismatch, the same either way.
    const tampered = Buffer.from(blob);
    tampered[blob.length >> 1] = tampered[blob.length >> 1]! ^ 0xff;
    const [f, o] = await both(tampered, { digest: digestOf(blob) });
    expect(f).toBe(o);
    expect(["LKT_ERR_LAYER_CORRUPT", "LKT_ERR_DIGEST_MISMATCH"]).toContain(f);
    // The pooled workers serve the next layer correctly after all that.
    expect((await snapshot(await scan(blob, c, "fused"))).files["/etc/hard"]).toBe(digestOf(Buffer.concat([text, random.subarray(0, 3 << 20)])));
  });

  it("cancels with LKT_ERR_ABORTED and leaves nothing stale for the next stream", async () => {
    const blob = compressLayer(tarBytes, c);
    const ac = new AbortController();
    expect(await codeOf(scan(blob, c, "fused", { signal: ac.signal, wants: () => (ac.abort(new Error("stop")), false) }))).toBe("LKT_ERR_ABORTED");
    expect(await snapshot(await scan(blob, c, "fused"))).toEqual(await snapshot(await scan(blob, c, "former")));
  });
});

describe("offload", () => {
  it("is refused once bytes went through, and the verifier then checks as before", async () => {
    const blob = compressLayer(tarBytes, "gzip");
    const v = new DigestVerifier(digestOf(blob), blob.length, "blob");
    v.write(blob.subarray(0, 10));
    expect(v.offload()).toBeUndefined();
    v.destroy();
  });
});
