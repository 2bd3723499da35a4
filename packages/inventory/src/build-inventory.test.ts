import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLookoutError, LookoutError, type FileCataloger, type LayerDescriptor } from "@lookout/domain";
import { openOciLayout, type ImageSource } from "@lookout/oci";
import { writeOciLayout, type TestLayer } from "@lookout/oci/testing";
import { buildInventory, type BuildInventoryOptions, type LayerEvent } from "./build-inventory.js";
import { DirectoryLayerCache, MemoryLayerCache } from "./cache.js";
import { detectTestDistro, dpkgTestCataloger, failingTestCataloger, linesTestCataloger } from "./test-catalogers.js";

const testdata = join(import.meta.dirname, "..", "testdata");
let dir: string;
let status: string;
let osRelease: string;
let base: TestLayer;
let upgrade: TestLayer;

/** Counts how often each layer blob is opened. */
function counting(src: ImageSource, opened: string[]): ImageSource {
  return { ...src, openLayer: (l: LayerDescriptor, o?: { signal?: AbortSignal }) => (opened.push(l.digest), src.openLayer(l, o)) };
}

async function image(name: string, layers: TestLayer[]): Promise<ImageSource> {
  await writeOciLayout(join(dir, name), "v1", [{ layers }]);
  const r = await openOciLayout(join(dir, name), "v1");
  if (r.kind !== "images") throw new Error("not an image");
  return r.images[0]!;
}

const opts = (extra: Partial<BuildInventoryOptions> = {}): BuildInventoryOptions => ({
  catalogers: [dpkgTestCataloger(), linesTestCataloger, failingTestCataloger],
  detectDistro: detectTestDistro,
  scratchDir: join(dir, "scratch", String(Math.random()).slice(2)),
  ...extra,
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lkt-inv-"));
  status = await readFile(join(testdata, "dpkg-status-ubuntu-18.04"), "utf8");
  osRelease = await readFile(join(testdata, "os-release-debian-12"), "utf8");
  base = {
    entries: [
      { name: "usr/lib/os-release", content: osRelease },
      { name: "etc/os-release", type: "symlink", linkname: "../usr/lib/os-release" },
      { name: "var/lib/dpkg/status", content: status },
      { name: "opt/app/a.pkgs", content: "left-pad 1.0.0\n" },
      { name: "srv/c.pkgs", content: "lodash 4.17.20\n" },
    ],
  };
  // apt-get install in a later layer rewrites the whole status file, adding one stanza.
  upgrade = {
    compression: "zstd",
    entries: [
      { name: "var/lib/dpkg/status", content: status + "\nPackage: lookout-extra\nStatus: install ok installed\nVersion: 1.2-3\n" },
      { name: "etc/app/broken.json", content: "{" },
    ],
  };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("buildInventory", () => {
  it("merges layers: topmost wins, whiteouts and opaque dirs delete, base packages keep the base digest", async () => {
    const img = await image("merge", [base, upgrade, { entries: [{ name: "opt/app/.wh..wh..opq" }, { name: "opt/app/b.pkgs", content: "chalk 5.0.0\n" }, { name: "srv/.wh.c.pkgs" }] }]);
    const [l1, l2, l3] = img.layers.map((l) => l.digest);
    const inv = await buildInventory(img, opts());
    expect(inv.distro).toEqual({ id: "debian", versionId: "12" });
    const dpkg = inv.packages.filter((p) => p.type === "dpkg");
    expect(dpkg).toHaveLength(91); // 90 installed in the fixture + the one added in layer 2
    expect(dpkg.filter((p) => p.layerDigest === l1)).toHaveLength(90);
    expect(dpkg.find((p) => p.name === "lookout-extra")!.layerDigest).toBe(l2);
    expect(inv.packages.filter((p) => p.type === "lines").map((p) => [p.name, p.path, p.layerDigest])).toEqual([["chalk", "/opt/app/b.pkgs", l3]]);
    expect(inv.unknowns).toEqual([{ path: "/etc/app/broken.json", reason: "test-failing: unexpected token in JSON", layerDigest: l2 }]);
  });

  it("a whiteout of the package database removes its packages", async () => {
    const img = await image("wh", [base, { entries: [{ name: "var/lib/dpkg/.wh.status" }] }]);
    const inv = await buildInventory(img, opts());
    expect(inv.packages.filter((p) => p.type === "dpkg")).toEqual([]);
  });

  it("a second image sharing base layers reads them zero times (memory cache)", async () => {
    const cache = new MemoryLayerCache();
    const first = await image("first", [base, upgrade]);
    const second = await image("second", [base, upgrade, { entries: [{ name: "srv/d.pkgs", content: "react 18.0.0\n" }] }]);
    const opened: string[] = [];
    const inv1 = await buildInventory(counting(first, opened), opts({ cache }));
    expect(opened).toHaveLength(2);
    opened.length = 0;
    const events: boolean[] = [];
    const inv2 = await buildInventory(counting(second, opened), opts({ cache, onLayer: (e) => events.push(e.cached) }));
    expect(opened).toEqual([second.layers[2]!.digest]);
    expect(cache.stats).toEqual({ hits: 2, misses: 3 });
    expect(events.filter(Boolean)).toHaveLength(2);
    expect(inv2.packages.length).toBe(inv1.packages.length + 1);
    expect(inv2.distro).toEqual(inv1.distro);
  });

  it("the directory cache persists across instances and misses when a cataloger version changes", async () => {
    const cdir = join(dir, "layer-cache");
    const img = await image("dircache", [base]);
    await buildInventory(img, opts({ cache: new DirectoryLayerCache(cdir) }));
    const opened: string[] = [];
    const again = new DirectoryLayerCache(cdir);
    const inv = await buildInventory(counting(img, opened), opts({ cache: again }));
    expect(opened).toEqual([]);
    expect(again.stats).toEqual({ hits: 1, misses: 0 });
    expect(inv.packages.filter((p) => p.type === "dpkg")).toHaveLength(90);
    const bumped = new DirectoryLayerCache(cdir);
    await buildInventory(counting(img, opened), opts({ cache: bumped, catalogers: [dpkgTestCataloger(2), linesTestCataloger, failingTestCataloger] }));
    expect(opened).toHaveLength(1);
    expect(bumped.stats).toEqual({ hits: 0, misses: 1 });
  });

  it("fails the build with a typed error on a corrupt layer and caches nothing for it", async () => {
    const img = await image("corrupt", [base]);
    const l = img.layers[0]!;
    const truncated: ImageSource = {
      ...img,
      openLayer: async () => {
        const { Readable } = await import("node:stream");
        const whole = await readFile(join(dir, "corrupt/blobs/sha256", l.digest.slice(7)));
        return Readable.from([whole.subarray(0, whole.length - 100)]);
      },
    };
    const cache = new MemoryLayerCache();
    const err = await buildInventory(truncated, opts({ cache })).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_LAYER_CORRUPT")).toBe(true);
    expect(await cache.get("anything")).toBeUndefined();
    expect(cache.stats.hits).toBe(0);
  });

  it("an os-release symlink loop gives no distro and an unknown, and never reads outside the image", async () => {
    const img = await image("loop", [
      { entries: [{ name: "etc/os-release", type: "symlink", linkname: "../usr/lib/os-release" }, { name: "usr/lib/os-release", type: "symlink", linkname: "/etc/os-release" }] },
    ]);
    const inv = await buildInventory(img, opts());
    expect(inv.distro).toBeUndefined();
    expect(inv.unknowns.map((u) => u.reason)).toContain("symlink loop");
    // A link that climbs above the root resolves inside the image (here: to nothing), not to the host's file.
    const esc = await image("escape", [{ entries: [{ name: "etc/os-release", type: "symlink", linkname: "../../../../../../etc/os-release" }] }]);
    expect((await buildInventory(esc, opts())).distro).toBeUndefined();
  });

  it("a failing layer cancels the layer still in flight instead of waiting for it", async () => {
    const img = await image("failfast", [base, upgrade]);
    const { PassThrough, Readable } = await import("node:stream");
    const stuck = new PassThrough(); // never ends: only cancellation can finish this layer
    const src: ImageSource = {
      ...img,
      openLayer: async (l) => (l.digest === img.layers[0]!.digest ? stuck : Readable.from([Buffer.from("definitely not zstd")])),
    };
    const err = await buildInventory(src, opts()).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_LAYER_CORRUPT")).toBe(true);
    expect(stuck.destroyed).toBe(true);
  });

  it("a cache that cannot store does not fail the scan", async () => {
    const img = await image("cachefail", [base]);
    const errors: unknown[] = [];
    const broken = { stats: { hits: 0, misses: 0 }, get: async () => undefined, set: async () => Promise.reject(new Error("ENOSPC")) };
    const inv = await buildInventory(img, opts({ cache: broken, onCacheError: (e) => errors.push(e) }));
    expect(inv.packages.filter((p) => p.type === "dpkg")).toHaveLength(90);
    expect(errors).toHaveLength(1);
  });

  it("hands small files over from memory and writes one to scratch only when a parser needs a host path", async () => {
    const img = await image("hostpath", [{ entries: [{ name: "opt/x.bin", content: "random access" }, { name: "opt/y.bin", content: "read only" }] }]);
    const scratchDir = join(dir, "scratch-hostpath");
    const seen: string[] = [];
    const hostPathCataloger: FileCataloger = {
      name: "test-hostpath",
      version: 1,
      wants: (p) => p.endsWith(".bin"),
      async parse(file) {
        if (file.path === "/opt/y.bin") return seen.push(`${file.path}: ${(await file.read()).toString()}`), [];
        const host = await file.hostPath();
        expect(await file.hostPath()).toBe(host); // written once
        expect(host.startsWith(scratchDir + "/")).toBe(true);
        seen.push(`${file.path}: ${await readFile(host, "utf8")} (${(await readdir(dirname(host))).length} file in scratch)`);
        return [];
      },
    };
    await buildInventory(img, { catalogers: [hostPathCataloger], scratchDir });
    expect(seen.sort()).toEqual(["/opt/x.bin: random access (1 file in scratch)", "/opt/y.bin: read only"]);
    expect(await readdir(scratchDir)).toEqual([]); // the layer's scratch is removed afterwards
  });

  it("parses a scratch-kept file while the rest of its layer still streams", async () => {
    // Decoders hand on output in slots of up to 1 MiB: 4 MiB of incompressible bytes follow the file.
    const img = await image("early", [{ entries: [{ name: "opt/a.pkgs", content: "left-pad 1.0.0\n" }, { name: "opt/z.bin", content: randomBytes(4 << 20) }] }]);
    const whole = await readFile(join(dir, "early/blobs/sha256", img.layers[0]!.digest.slice(7)));
    const { PassThrough } = await import("node:stream");
    let parsedAt = "";
    let streamed = false;
    let parsed: () => void = () => {};
    const parsedNow = new Promise<void>((r) => (parsed = r));
    const src: ImageSource = {
      ...img,
      // The first 3 MiB, then the rest only after the parse ran or 5 s passed.
      openLayer: async () => {
        const s = new PassThrough();
        s.write(whole.subarray(0, 3 << 20));
        void Promise.race([parsedNow, new Promise((r) => setTimeout(r, 5000))]).then(() => {
          streamed = true;
          s.end(whole.subarray(3 << 20));
        });
        return s;
      },
    };
    const lines: FileCataloger = {
      ...linesTestCataloger,
      async parse(file, ctx) {
        parsedAt = streamed ? "after the stream" : "during the stream";
        parsed();
        return linesTestCataloger.parse(file, ctx);
      },
    };
    const inv = await buildInventory(src, { catalogers: [lines], scratchDir: join(dir, "scratch-early"), memory: { maxFileBytes: 0, maxTotalBytes: 0 } });
    expect(parsedAt).toBe("during the stream");
    expect(inv.packages.map((p) => `${p.name}@${p.version}`)).toEqual(["left-pad@1.0.0"]);
  });

  it("a file replaced later in its layer counts once, with its last content, in scratch or in memory", async () => {
    const img = await image("replaced", [{ entries: [{ name: "opt/a.pkgs", content: "left-pad 1.0.0\n" }, { name: "opt/b.pkgs", content: "chalk 5.0.0\n" }, { name: "opt/a.pkgs", content: "left-pad 1.3.0\n" }] }]);
    for (const memory of [{ maxFileBytes: 0, maxTotalBytes: 0 }, { maxFileBytes: 1024, maxTotalBytes: 1024 }]) {
      const inv = await buildInventory(img, { catalogers: [linesTestCataloger], scratchDir: join(dir, "scratch-replaced", String(memory.maxFileBytes)), memory });
      expect(inv.packages.map((p) => `${p.name}@${p.version}`).sort()).toEqual(["chalk@5.0.0", "left-pad@1.3.0"]);
    }
  });

  it("ctx.sibling sees every kept file of the layer for afterLayer catalogers, and is an unknown for the others", async () => {
    const img = await image("siblings", [{ entries: [{ name: "var/lib/rpm/rpmdb.sqlite", content: "db" }, { name: "var/lib/rpm/rpmdb.sqlite-wal", content: "wal" }] }]);
    const reader = (afterLayer: boolean): FileCataloger => ({
      name: `test-sibling-${afterLayer}`,
      version: 1,
      afterLayer,
      wants: (p) => p.endsWith(".sqlite") || p.endsWith(".sqlite-wal"),
      async parse(file, ctx) {
        if (file.path.endsWith("-wal")) return [];
        const wal = ctx.sibling(file.path + "-wal");
        return [{ type: "rpm", name: `${afterLayer}`, version: (await wal!.read()).toString(), ecosystem: "x", purl: "pkg:rpm/x", path: file.path }];
      },
    });
    for (const memory of [{ maxFileBytes: 0, maxTotalBytes: 0 }, undefined]) {
      const inv = await buildInventory(img, { catalogers: [reader(true), reader(false)], scratchDir: join(dir, "scratch-sib", String(Math.random()).slice(2)), ...(memory ? { memory } : {}) });
      expect(inv.packages.map((p) => `${p.name}:${p.version}`)).toEqual(["true:wal"]);
      expect(inv.unknowns.map((u) => u.reason).join("\n")).toMatch(/test-sibling-false: .*afterLayer/);
    }
  });

  it("a layer that fails after a scratch file was handed over waits for its parse before removing scratch", async () => {
    const img = await image("failparse", [{ entries: [{ name: "opt/a.pkgs", content: "left-pad 1.0.0\n" }, { name: "opt/z.bin", content: randomBytes(4 << 20) }] }]);
    const whole = await readFile(join(dir, "failparse/blobs/sha256", img.layers[0]!.digest.slice(7)));
    const { PassThrough } = await import("node:stream");
    let parsing: () => void = () => {};
    const started = new Promise<void>((r) => (parsing = r));
    const src: ImageSource = {
      ...img,
      openLayer: async () => {
        const s = new PassThrough();
        s.write(whole.subarray(0, 3 << 20));
        void Promise.race([started, new Promise((r) => setTimeout(r, 2000))]).then(() => s.destroy(new Error("connection reset")));
        return s;
      },
    };
    const scratchDir = join(dir, "scratch-failparse");
    const read: string[] = [];
    const slow: FileCataloger = {
      ...linesTestCataloger,
      async parse(file) {
        const host = await file.hostPath();
        parsing();
        await new Promise((r) => setTimeout(r, 200)); // still reading when the layer fails
        read.push(await readFile(host, "utf8"));
        return [];
      },
    };
    const err = await buildInventory(src, { catalogers: [slow], scratchDir, memory: { maxFileBytes: 0, maxTotalBytes: 0 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(read).toEqual(["left-pad 1.0.0\n"]);
    expect(await readdir(scratchDir)).toEqual([]);
  });

  it("samples a file when every cataloger that wants it says what it needs, and reads the layer again when a parse falls short", async () => {
    const body = "left-pad 2.0.0\n" + "\n".repeat(200 << 10);
    const img = await image("sampled", [{ entries: [{ name: "opt/a.pkgs", content: "left-pad 1.0.0\n" }, { name: "opt/big.pkgs", content: body }] }]);
    const seen: string[] = [];
    // Samples .pkgs files: the first 16 bytes (covered by the head); a file that needs more
    // than its sample throws LKT_ERR_SAMPLE_SHORT, like a Go binary whose strings were not kept.
    const sampling: FileCataloger = {
      ...linesTestCataloger,
      sample: () => ({ ranges: [[0, 16]] }),
      async parse(file, ctx) {
        seen.push(`${file.path} ${file.sampled ? "sampled" : "whole"}`);
        if (!file.sampled) return linesTestCataloger.parse(file, ctx);
        const head = file.sampled[0]!.bytes;
        if (head.length < file.size) throw new LookoutError("LKT_ERR_SAMPLE_SHORT", `${file.path}: needs the rest`);
        return linesTestCataloger.parse({ ...file, read: async () => head }, ctx);
      },
    };
    const events: LayerEvent[] = [];
    const inv = await buildInventory(img, { catalogers: [sampling], scratchDir: join(dir, "scratch-sampled"), onLayer: (e) => events.push(e) });
    expect(seen.sort()).toEqual(["/opt/a.pkgs sampled", "/opt/a.pkgs whole", "/opt/big.pkgs sampled", "/opt/big.pkgs whole"]);
    expect(inv.packages.map((p) => `${p.name}@${p.version}`).sort()).toEqual(["left-pad@1.0.0", "left-pad@2.0.0"]);
    expect(inv.unknowns).toEqual([]);
    expect(events.map((e) => e.reread)).toEqual([true]);
    // A cataloger without a plan for a file keeps it whole, whatever the others say.
    seen.length = 0;
    await buildInventory(img, { catalogers: [sampling, { ...linesTestCataloger, name: "test-lines-2" }], scratchDir: join(dir, "scratch-sampled2") });
    expect(seen.sort()).toEqual(["/opt/a.pkgs whole", "/opt/big.pkgs whole"]);
  });

  it("passes merged packages and the distro to finalize", async () => {
    const img = await image("finalize", [base]);
    const inv = await buildInventory(img, opts({ finalize: (pkgs, distro) => pkgs.filter((p) => p.type === "dpkg").map((p) => ({ ...p, ecosystem: `${distro?.id}:${distro?.versionId}` })) }));
    expect(new Set(inv.packages.map((p) => p.ecosystem))).toEqual(new Set(["debian:12"]));
  });
});
