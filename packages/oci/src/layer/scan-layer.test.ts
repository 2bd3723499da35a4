import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLookoutError } from "@lookout/domain";
import { LAYER_MEDIA_TYPE, compressLayer, makeTar, type Compression, type TarEntry } from "../testing/tar.js";
import { scanLayer, type ScanLayerOptions } from "./scan-layer.js";
import { codeOf } from "../testing/errors.js";

let scratch: string;
let n = 0;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "lkt-scan-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const wantsEtc = (p: string) => p.startsWith("/etc/") || p.endsWith("/status");

async function scan(blob: Buffer, compression: Compression, extra: Partial<ScanLayerOptions> = {}) {
  return scanLayer(Readable.from([blob]), {
    digest: "sha256:" + "a".repeat(64),
    mediaType: LAYER_MEDIA_TYPE[compression],
    wants: wantsEtc,
    scratchDir: join(scratch, String(++n)),
    ...extra,
  });
}

async function scanEntries(entries: TarEntry[], compression: Compression = "gzip", extra: Partial<ScanLayerOptions> = {}) {
  return scan(compressLayer(await makeTar(entries), compression), compression, extra);
}

describe("scanLayer", () => {
  it.each(["gzip", "zstd", "none"] as const)("keeps only wanted files from a %s layer", async (c) => {
    const out = await scanEntries(
      [
        { name: "etc/", type: "directory" },
        { name: "etc/os-release", content: "ID=debian\n" },
        { name: "usr/bin/ls", content: "ELF" },
        { name: "./var/lib/dpkg/status", content: "Package: a\n" },
      ],
      c,
    );
    expect([...out.files.keys()].sort()).toEqual(["/etc/os-release", "/var/lib/dpkg/status"]);
    expect(await readFile(out.files.get("/etc/os-release")!.hostPath!, "utf8")).toBe("ID=debian\n");
    expect(out.stats.entries).toBe(4);
  });

  it("records whiteouts, opaque dirs and symlinks without keeping them", async () => {
    const out = await scanEntries([
      { name: "etc/.wh.passwd" },
      { name: "opt/app/.wh..wh..opq" },
      { name: "etc/alt", type: "symlink", linkname: "../usr/lib/os-release" },
    ]);
    expect(out.whiteouts).toEqual(["/etc/passwd"]);
    expect(out.opaqueDirs).toEqual(["/opt/app"]);
    expect(out.symlinks.get("/etc/alt")).toBe("../usr/lib/os-release");
    expect(out.files.size).toBe(0);
  });

  it("resolves a hardlink to a kept file of the same layer", async () => {
    const out = await scanEntries([
      { name: "etc/a", content: "hello" },
      { name: "etc/b", type: "link", linkname: "etc/a" },
    ]);
    expect(await readFile(out.files.get("/etc/b")!.hostPath!, "utf8")).toBe("hello");
  });

  // Malicious layers: each one is a real tarball with the hostile entry.
  it("refuses a tar entry that climbs out of the root with ..", async () => {
    expect(await codeOf(scanEntries([{ name: "../../etc/evil", content: "x" }]))).toBe("LKT_ERR_PATH_ESCAPE");
  });

  it("refuses a hardlink whose target climbs out of the root", async () => {
    expect(await codeOf(scanEntries([{ name: "etc/shadow", type: "link", linkname: "../../../etc/shadow" }]))).toBe("LKT_ERR_PATH_ESCAPE");
  });

  it("refuses an entry written through a symlink of the same layer", async () => {
    const entries: TarEntry[] = [
      { name: "etc/evil", type: "symlink", linkname: "/root/.ssh" },
      { name: "etc/evil/authorized_keys", content: "ssh-rsa AAAA" },
    ];
    expect(await codeOf(scanEntries(entries))).toBe("LKT_ERR_PATH_ESCAPE");
    // Same through a relative link that climbs above the root.
    expect(await codeOf(scanEntries([{ name: "x", type: "symlink", linkname: "../../../../tmp" }, { name: "x/y", content: "z" }]))).toBe("LKT_ERR_PATH_ESCAPE");
  });

  it("keeps a symlink pointing outside the root as data only (resolved chroot-style later)", async () => {
    const out = await scanEntries([{ name: "etc/os-release", type: "symlink", linkname: "../../../../../etc/os-release" }]);
    expect(out.symlinks.get("/etc/os-release")).toBe("../../../../../etc/os-release");
    expect(out.files.size).toBe(0);
  });

  it("takes absolute names as image paths and writes only inside the scratch dir", async () => {
    const dir = join(scratch, "abs");
    const out = await scanEntries([{ name: "/etc/cron.d/evil", content: "x", mode: 0o4755 }], "gzip", { scratchDir: dir });
    const kept = out.files.get("/etc/cron.d/evil")!;
    expect(kept.hostPath!.startsWith(dir + "/")).toBe(true);
    expect(kept.mode).toBe(0o755); // setuid bit dropped
    expect(await readdir(dir)).toEqual(["1"]);
  });

  it("holds small kept files in memory within its caps and writes the rest to scratch", async () => {
    const dir = join(scratch, "mem");
    const big = "x".repeat(300);
    const out = await scanEntries(
      [
        { name: "etc/a", content: "alpha" },
        { name: "etc/big", content: big },
        { name: "etc/b", content: "bravo" },
        { name: "etc/c", content: "charlie" },
        { name: "etc/link", type: "link", linkname: "etc/a" },
      ],
      "gzip",
      { scratchDir: dir, memory: { maxFileBytes: 100, maxTotalBytes: 10 } },
    );
    const get = (p: string) => out.files.get(p)!;
    expect(get("/etc/a").bytes?.toString()).toBe("alpha");
    expect(get("/etc/b").bytes?.toString()).toBe("bravo");
    expect(get("/etc/link").bytes?.toString()).toBe("alpha");
    // Over the per-file cap, then over the per-layer total: both go to scratch.
    expect(await readFile(get("/etc/big").hostPath!, "utf8")).toBe(big);
    expect(get("/etc/c").bytes).toBeUndefined();
    expect(await readFile(get("/etc/c").hostPath!, "utf8")).toBe("charlie");
    expect((await readdir(dir)).sort()).toEqual(["1", "2"]);
    expect(out.stats.keptBytes).toBe(5 + 300 + 5 + 7);
  });

  it("reports each kept file as it completes, in tar order, readable once its ready settles", async () => {
    const dir = join(scratch, "onfile");
    // Three scratch blocks, bytes that differ by position: a block reused before its write
    // landed would show up as misplaced bytes.
    const big = Buffer.from(Array.from({ length: 9 << 20 }, (_, i) => i % 251));
    big.write("head", 0);
    big.write("tail", big.length - 4);
    const seen: { path: string; content: string; memory: boolean }[] = [];
    const reads: Promise<void>[] = [];
    const out = await scanEntries(
      [
        { name: "etc/a", content: "first" },
        { name: "etc/big", content: big },
        { name: "etc/ln", type: "link", linkname: "etc/big" },
        { name: "etc/a", content: "second" },
      ],
      "gzip",
      {
        scratchDir: dir,
        memory: { maxFileBytes: 100, maxTotalBytes: 100 },
        onFile: (f, ready) =>
          void reads.push(
            ready.then(async () => {
              const b = f.bytes ?? (await readFile(f.hostPath!));
              seen.push({ path: f.path, content: b.length > 100 ? `${b.length}:${b.subarray(0, 4)}:${b.subarray(-4)}:${b.equals(big)}` : b.toString(), memory: f.bytes !== undefined });
            }),
          ),
      },
    );
    await Promise.all(reads);
    const whole = `${big.length}:head:tail:true`;
    // Memory files resolve at once, scratch files after their writes; all four are reported,
    // the replaced /etc/a included (the caller keeps only what `files` still holds).
    expect(seen.sort((x, y) => x.path.localeCompare(y.path) || x.content.localeCompare(y.content))).toEqual([
      { path: "/etc/a", content: "first", memory: true },
      { path: "/etc/a", content: "second", memory: true },
      { path: "/etc/big", content: whole, memory: false },
      { path: "/etc/ln", content: whole, memory: false },
    ]);
    expect(out.files.get("/etc/a")!.bytes!.toString()).toBe("second");
  });

  it("a scratch file that cannot be created stops the scan with a typed error and no unhandled rejection", async () => {
    const dir = join(scratch, "taken");
    await mkdir(dir, { recursive: true });
    await Promise.all(["1", "2"].map((n) => writeFile(join(dir, n), "")));
    const err = await scanEntries([{ name: "etc/a", content: "a".repeat(5 << 20) }, { name: "etc/b", content: "b".repeat(5 << 20) }], "gzip", { scratchDir: dir }).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_INTERNAL") && (err as Error).message).toMatch(/scratch write failed: EEXIST/);
    // Let any stray rejection surface before the test ends (vitest fails the run on one).
    await new Promise((r) => setTimeout(r, 50));
  });

  it("ignores device files and fifos", async () => {
    const out = await scanEntries([
      { name: "etc/null", type: "character-device" },
      { name: "etc/fifo", type: "fifo" },
    ]);
    expect(out.files.size).toBe(0);
    expect(out.stats.entries).toBe(2);
  });

  it("records a wanted file over the keep cap as an unknown", async () => {
    const out = await scanEntries([{ name: "etc/big", content: Buffer.alloc(5000) }], "gzip", { limits: { maxFileBytes: 4096 } });
    expect(out.files.size).toBe(0);
    expect(out.unknowns[0]!.reason).toMatch(/over the keep cap/);
  });

  it("stops a decompression bomb at the expanded-bytes cap", async () => {
    const tarBytes = await makeTar([{ name: "zeros", content: Buffer.alloc(8 << 20) }]);
    const blob = compressLayer(tarBytes, "gzip");
    expect(blob.length).toBeLessThan(100_000);
    expect(await codeOf(scan(blob, "gzip", { limits: { maxExpandedBytes: 1 << 20 } }))).toBe("LKT_ERR_LAYER_LIMIT");
  });

  it("stops at the entry-count cap", async () => {
    const entries = Array.from({ length: 50 }, (_, i) => ({ name: `f${i}`, content: "x" }));
    expect(await codeOf(scanEntries(entries, "gzip", { limits: { maxEntries: 10 } }))).toBe("LKT_ERR_LAYER_LIMIT");
  });

  it.each(["gzip", "zstd"] as const)("fails a truncated %s layer as corrupt", async (c) => {
    const blob = compressLayer(await makeTar([{ name: "etc/a", content: Buffer.alloc(100_000, 1) }]), c);
    expect(await codeOf(scan(blob.subarray(0, blob.length - 20), c))).toBe("LKT_ERR_LAYER_CORRUPT");
  });

  it("fails a layer whose magic bytes contradict its media type", async () => {
    const blob = compressLayer(await makeTar([{ name: "etc/a", content: "x" }]), "zstd");
    expect(await codeOf(scan(blob, "gzip"))).toBe("LKT_ERR_LAYER_CORRUPT");
  });

  it("refuses an unknown media type and releases the source stream", async () => {
    const blob = await makeTar([{ name: "etc/a", content: "x" }]);
    const raw = Readable.from([blob]);
    expect(await codeOf(scanLayer(raw, { digest: "sha256:" + "b".repeat(64), mediaType: "application/x-foo", wants: wantsEtc, scratchDir: join(scratch, "u") }))).toBe("LKT_ERR_LAYER_MEDIA_TYPE");
    expect(raw.destroyed).toBe(true);
  });

  it("fails a PAX header claiming gigabytes (held whole by the parser) without buffering it", async () => {
    const h = Buffer.alloc(512);
    h.write("PaxHeaders/evil", 0);
    h.write("0000644\0", 100);
    h.write("0000000\0", 108);
    h.write("0000000\0", 116);
    h.write((8 * 1024 ** 3).toString(8).padStart(11, "0") + "\0", 124);
    h.write("00000000000\0", 136);
    h.write("        ", 148);
    h.write("x", 156);
    h.write("ustar\0", 257);
    h.write("00", 263);
    const sum = h.reduce((a, b) => a + b, 0);
    h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
    const blob = compressLayer(Buffer.concat([h, Buffer.alloc(64 * 1024, 0x61)]), "gzip");
    expect(await codeOf(scan(blob, "gzip"))).toBe("LKT_ERR_LAYER_CORRUPT");
  });

  it("fails a garbage tar stream as corrupt", async () => {
    const garbage = compressLayer(Buffer.alloc(4096, 0x41), "gzip");
    expect(await codeOf(scan(garbage, "gzip"))).toBe("LKT_ERR_LAYER_CORRUPT");
  });
});

describe("scanLayer scratch failures", () => {
  it("reports a scratch write failure as a retryable internal error, not a corrupt layer", async () => {
    const dir = join(scratch, "reused");
    const entries = [{ name: "etc/a", content: "x" }];
    await scanEntries(entries, "gzip", { scratchDir: dir });
    const err = await scanEntries(entries, "gzip", { scratchDir: dir }).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_INTERNAL") && err.retryable).toBe(true);
  });
});

describe("scanLayer cancellation", () => {
  it("stops with LKT_ERR_ABORTED when the caller's signal fires", async () => {
    const ac = new AbortController();
    const blob = compressLayer(await makeTar([{ name: "etc/a", content: Buffer.alloc(1 << 20, 1) }]), "gzip");
    // A source that never ends: the scan can only stop through the signal.
    const { PassThrough } = await import("node:stream");
    const raw = new PassThrough();
    raw.write(blob.subarray(0, 1000));
    setTimeout(() => ac.abort(new Error("shutdown")), 50);
    const e = await scanLayer(raw, { digest: "sha256:" + "c".repeat(64), mediaType: LAYER_MEDIA_TYPE.gzip, wants: wantsEtc, scratchDir: join(scratch, "abort"), signal: ac.signal }).catch((x: unknown) => x);
    expect(isLookoutError(e, "LKT_ERR_ABORTED") && e.retryable).toBe(true);
  });
});

describe("archives without their end (umoci 0.4 / stacker layers, opencontainers/umoci#436)", () => {
  const entries: TarEntry[] = [
    { name: "etc/os-release", content: "ID=debian\n" },
    { name: "var/lib/dpkg/status", content: "Package: a\nVersion: 1\n" },
  ];
  // The tar as such tools write it: the last entry's data, then nothing (no padding, no end blocks).
  async function unterminated(): Promise<{ tar: Buffer; lastDataEnd: number }> {
    const tar = await makeTar(entries);
    const lastHeader = tar.indexOf("var/lib/dpkg/status");
    const lastDataEnd = lastHeader + 512 + "Package: a\nVersion: 1\n".length;
    return { tar: tar.subarray(0, lastDataEnd), lastDataEnd };
  }

  it.each(["none", "gzip"] as const)("reads every entry when only padding and end blocks are missing (%s)", async (c) => {
    const { tar } = await unterminated();
    const out = await scan(compressLayer(tar, c), c);
    expect(await readFile(out.files.get("/var/lib/dpkg/status")!.hostPath!, "utf8")).toBe("Package: a\nVersion: 1\n");
    expect(out.stats.entries).toBe(2);
  });

  it("padding present, end blocks missing: also read", async () => {
    const { tar, lastDataEnd } = await unterminated();
    const padded = Buffer.concat([tar, Buffer.alloc((512 - (lastDataEnd % 512)) % 512)]);
    expect((await scan(padded, "none")).stats.entries).toBe(2);
  });

  it("an archive cut inside an entry's data is still corrupt: content is never made up", async () => {
    const { tar } = await unterminated();
    expect(await codeOf(scan(tar.subarray(0, tar.length - 5), "none"))).toBe("LKT_ERR_LAYER_CORRUPT");
  });

  it("an archive cut inside a header is still corrupt", async () => {
    const full = await makeTar(entries);
    const secondHeader = full.indexOf("var/lib/dpkg/status");
    expect(await codeOf(scan(full.subarray(0, secondHeader + 100), "none"))).toBe("LKT_ERR_LAYER_CORRUPT");
  });
});
