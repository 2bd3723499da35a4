import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compress as zstdCompress } from "zstd-napi";
import { DigestVerifier } from "../digest.js";
import { LAYER_MEDIA_TYPE, makeTar } from "../testing/tar.js";
import { chunked, digestOf } from "../testing/bytes.js";
import { scanLayer, type ScanLayerOptions } from "./scan-layer.js";
import { codeOf } from "../testing/errors.js";

// zstd decompression and big-blob hashing run on pooled worker threads: these cases cover what
// the message protocol could get wrong (output paced by credits, frame ends, cancellation, a
// worker reused after a failed stream).

let scratch: string;
let n = 0;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "lkt-workers-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});


function scanZstd(blob: Buffer, extra: Partial<ScanLayerOptions> = {}) {
  return scanLayer(chunked(blob), { digest: digestOf(blob), mediaType: LAYER_MEDIA_TYPE.zstd, wants: (p) => p.startsWith("/etc/"), scratchDir: join(scratch, String(++n)), ...extra });
}

// 12 MiB of mixed content (random and text), several files, the wanted one in the middle.
const big = randomBytes(3 << 20);
const text = Buffer.from("Package: libc6\nVersion: 2.36-9\n".repeat(200_000));
let tarBytes: Buffer;
beforeAll(async () => {
  tarBytes = await makeTar([
    { name: "usr/lib/a.so", content: big },
    { name: "etc/big.conf", content: Buffer.concat([text, big]) },
    { name: "usr/share/doc/x", content: text },
  ]);
});

describe("zstd on a worker", () => {
  it("reconstructs a multi-MiB layer byte for byte, one frame or several", async () => {
    const oneFrame = zstdCompress(tarBytes);
    const frames = Buffer.concat([zstdCompress(tarBytes.subarray(0, 5_000_000)), zstdCompress(tarBytes.subarray(5_000_000))]);
    for (const blob of [oneFrame, frames]) {
      const out = await scanZstd(blob);
      expect(out.stats.expandedBytes).toBe(tarBytes.length);
      const kept = await readFile(out.files.get("/etc/big.conf")!.hostPath!);
      expect(kept.equals(Buffer.concat([text, big]))).toBe(true);
    }
  });

  it("runs several layers at once, more than the idle pool holds", async () => {
    const blob = zstdCompress(tarBytes);
    const outs = await Promise.all(Array.from({ length: 6 }, () => scanZstd(blob)));
    for (const o of outs) expect(o.stats.expandedBytes).toBe(tarBytes.length);
  });

  it("fails a truncated or garbled layer as corrupt, then the pooled worker serves the next layer", async () => {
    const blob = zstdCompress(tarBytes);
    expect(await codeOf(scanZstd(blob.subarray(0, blob.length - 1000)))).toBe("LKT_ERR_LAYER_CORRUPT");
    const garbled = Buffer.from(blob);
    garbled.fill(0xff, 4, 64); // frame and first block header
    expect(await codeOf(scanZstd(garbled))).toBe("LKT_ERR_LAYER_CORRUPT");
    expect((await scanZstd(blob)).stats.expandedBytes).toBe(tarBytes.length);
  });

  it("stops a decompression bomb at the cap without running ahead of the consumer", async () => {
    const bomb = zstdCompress(await makeTar([{ name: "zeros", content: Buffer.alloc(256 << 20) }]));
    expect(bomb.length).toBeLessThan(1 << 20);
    const before = process.memoryUsage().arrayBuffers;
    expect(await codeOf(scanZstd(bomb, { limits: { maxExpandedBytes: 16 << 20 } }))).toBe("LKT_ERR_LAYER_LIMIT");
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(128 << 20);
    expect((await scanZstd(zstdCompress(tarBytes))).files.has("/etc/big.conf")).toBe(true);
  });

  it("a cancelled scan leaves no stale output for the next stream on the same worker", async () => {
    const blob = zstdCompress(tarBytes);
    const ac = new AbortController();
    // Cancelled at the first tar header, with MiBs of output still to come.
    const p = scanZstd(blob, { signal: ac.signal, wants: () => (ac.abort(new Error("stop")), false) });
    expect(await codeOf(p)).toBe("LKT_ERR_ABORTED");
    const out = await scanZstd(blob);
    expect((await readFile(out.files.get("/etc/big.conf")!.hostPath!)).equals(Buffer.concat([text, big]))).toBe(true);
  });
});

describe("DigestVerifier on a worker (blobs of 4 MiB and more)", () => {
  const blob = Buffer.concat([big, text]);

  it("passes the bytes through unchanged and accepts the right digest", async () => {
    const parts: Buffer[] = [];
    await pipeline(chunked(blob), new DigestVerifier(digestOf(blob), blob.length, "blob"), async function* (src) {
      for await (const c of src) parts.push(c as Buffer);
    });
    expect(Buffer.concat(parts).equals(blob)).toBe(true);
  });

  it("fails a one-byte change and a size difference", async () => {
    const tampered = Buffer.from(blob);
    tampered.writeUInt8(tampered.readUInt8(blob.length >> 1) ^ 1, blob.length >> 1);
    const run = (b: Buffer, size: number) => pipeline(chunked(b), new DigestVerifier(digestOf(blob), size, "blob"), async function* (src) {
      for await (const _ of src);
    });
    expect(await codeOf(run(tampered, blob.length))).toBe("LKT_ERR_DIGEST_MISMATCH");
    expect(await codeOf(run(blob.subarray(0, blob.length - 1), blob.length))).toBe("LKT_ERR_DIGEST_MISMATCH");
    expect(await codeOf(run(blob, blob.length))).toBe("no error");
  });
});

describe("lent output views", () => {
  it("stay intact after the decoder's end until handed back: the worker's rings serve no other stream before", async () => {
    const { WorkerDecoder } = await import("./worker-decoder.js");
    const decode = async (blob: Buffer, keep: Buffer[]) => {
      const d = new WorkerDecoder("zstd", { lend: true });
      const done = new Promise<void>((resolve, reject) => {
        d.on("data", (c: Buffer) => keep.push(c));
        d.on("end", resolve);
        d.on("error", reject);
      });
      d.end(blob);
      await done;
      return d;
    };
    const a = Buffer.alloc(3 << 20, 0x61);
    const b = Buffer.alloc(3 << 20, 0x62);
    const viewsA: Buffer[] = [];
    const first = await decode(zstdCompress(a), viewsA);
    // Not handed back yet: a second stream must not get the first one's worker and rings.
    const viewsB: Buffer[] = [];
    const second = await decode(zstdCompress(b), viewsB);
    expect(Buffer.concat(viewsA).equals(a)).toBe(true);
    expect(Buffer.concat(viewsB).equals(b)).toBe(true);
    for (const v of viewsA) first.recycle(v);
    for (const v of viewsB) second.recycle(v);
  });
});
