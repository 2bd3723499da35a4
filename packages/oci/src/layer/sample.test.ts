import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SAMPLE_HEAD_BYTES, type SamplePlan } from "@lookout/domain";
import { LAYER_MEDIA_TYPE, compressLayer, makeTar } from "../testing/tar.js";
import { MAX_SAMPLED_BYTES, MAX_SAMPLED_LAYER_BYTES } from "./sample.js";
import type { LayerLimits } from "./limits.js";
import { scanLayer } from "./scan-layer.js";

let scratch: string;
let n = 0;
beforeAll(async () => void (scratch = await mkdtemp(join(tmpdir(), "lkt-sample-"))));
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** Bytes that differ by position, so a misplaced copy shows. */
const patterned = (len: number) => Buffer.from(Array.from({ length: len }, (_, i) => (i * 7 + (i >> 8)) % 251));

async function sampled(content: Buffer, plan: (head: Buffer) => SamplePlan, limits: Partial<LayerLimits> = {}) {
  const tar = compressLayer(await makeTar([{ name: "bin/app", content, mode: 0o755 }, { name: "etc/other", content: "x" }]), "gzip");
  const heads: number[] = [];
  const out = await scanLayer(Readable.from([tar.subarray(0, 1000), tar.subarray(1000)]), {
    digest: "sha256:" + "b".repeat(64),
    mediaType: LAYER_MEDIA_TYPE.gzip,
    wants: () => true,
    scratchDir: join(scratch, String(++n)),
    limits,
    sample: (path) => (path === "/bin/app" ? (head) => (heads.push(head.length), plan(head)) : undefined),
  });
  return { file: out.files.get("/bin/app"), other: out.files.get("/etc/other"), heads, out };
}

describe("sampled files", () => {
  const big = patterned(3 << 20);

  it("keep the head and the planned ranges, clipped to the file, and count only those bytes as kept", async () => {
    const { file, other, heads, out } = await sampled(big, () => ({ ranges: [[1 << 20, 100], [SAMPLE_HEAD_BYTES - 10, 30], [(3 << 20) - 50, 500], [2 << 20, 70000]] }));
    expect(heads).toEqual([SAMPLE_HEAD_BYTES]);
    expect(file!.bytes).toBeUndefined();
    expect(file!.hostPath).toBeUndefined();
    const got = file!.sampled!.map((r) => [r.offset, r.bytes.length]);
    expect(got).toEqual([[0, SAMPLE_HEAD_BYTES], [SAMPLE_HEAD_BYTES, 20], [1 << 20, 100], [2 << 20, 70000], [(3 << 20) - 50, 50]]);
    for (const r of file!.sampled!) expect(r.bytes.equals(big.subarray(r.offset, r.offset + r.bytes.length))).toBe(true);
    expect(other!.bytes?.toString() ?? (await readFile(other!.hostPath!, "utf8"))).toBe("x");
    expect(out.stats.keptBytes).toBe(SAMPLE_HEAD_BYTES + 20 + 100 + 70000 + 50 + 1);
  });

  it("skip keeps nothing; whole keeps the whole file", async () => {
    expect((await sampled(big, () => "skip")).file).toBeUndefined();
    const whole = (await sampled(big, () => "whole")).file!;
    expect((await readFile(whole.hostPath!)).equals(big)).toBe(true);
  });

  it("a plan that throws, is malformed or asks for more than the cap keeps the whole file", async () => {
    const plans: ((h: Buffer) => SamplePlan)[] = [
      () => {
        throw new Error("bad header");
      },
      () => ({ ranges: [[-1, 10]] }),
      () => ({ ranges: [[0, Number.MAX_SAFE_INTEGER]] }),
      () => ({ ranges: [[1 << 20, MAX_SAMPLED_BYTES]] }),
      () => ({ ranges: "all" }) as unknown as SamplePlan,
    ];
    const huge = patterned(MAX_SAMPLED_BYTES + (2 << 20));
    for (const plan of plans) {
      const { file } = await sampled(huge, plan);
      expect(file!.sampled).toBeUndefined();
      expect((await readFile(file!.hostPath!)).equals(huge)).toBe(true);
    }
  });

  it("past the layer's sampled budget, files are kept whole", async () => {
    const pattern = patterned(251 * 16);
    const content = Buffer.alloc(11 << 20).fill(pattern);
    const names = ["a", "b", "c", "d"].map((x) => `bin/${x}`);
    const tar = compressLayer(await makeTar(names.map((name) => ({ name, content, mode: 0o755 }))), "gzip");
    const out = await scanLayer(Readable.from([tar]), {
      digest: "sha256:" + "c".repeat(64),
      mediaType: LAYER_MEDIA_TYPE.gzip,
      wants: () => true,
      scratchDir: join(scratch, String(++n)),
      sample: () => () => ({ ranges: [[1 << 20, 10 << 20]] }),
    });
    const kinds = names.map((p) => (out.files.get(`/${p}`)!.sampled ? "sampled" : "whole"));
    // 64 KiB + 10 MiB each: three fit MAX_SAMPLED_LAYER_BYTES (32 MiB), the fourth does not.
    expect(MAX_SAMPLED_LAYER_BYTES).toBe(32 << 20);
    expect(kinds).toEqual(["sampled", "sampled", "sampled", "whole"]);
    expect((await readFile(out.files.get("/bin/d")!.hostPath!)).equals(content)).toBe(true);
  });

  it("the keep caps apply to what is kept: a file over them is still sampled, and kept whole only within them", async () => {
    const caps = { maxFileBytes: 1 << 20, maxKeptBytes: 2 << 20 };
    const { file, out } = await sampled(big, () => ({ ranges: [[2 << 20, 100]] }), caps);
    expect(file!.sampled!.map((r) => [r.offset, r.bytes.length])).toEqual([[0, SAMPLE_HEAD_BYTES], [2 << 20, 100]]);
    expect(out.unknowns).toEqual([]);
    const whole = await sampled(big, () => "whole", caps);
    expect(whole.file).toBeUndefined();
    expect(whole.out.unknowns.map((u) => [u.path, u.reason])).toEqual([["/bin/app", `file of ${3 << 20} bytes over the keep cap`]]);
  });

  it("a file shorter than the head is decided on all of it", async () => {
    const small = patterned(1000);
    const { file, heads } = await sampled(small, () => ({ ranges: [[900, 500]] }));
    expect(heads).toEqual([1000]);
    expect(file!.sampled!.map((r) => [r.offset, r.bytes.length])).toEqual([[0, 1000]]);
    expect(file!.sampled![0]!.bytes.equals(small)).toBe(true);
  });
});
