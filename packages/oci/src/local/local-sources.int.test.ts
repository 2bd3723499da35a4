import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanLayer } from "../layer/scan-layer.js";
import type { ImageSource, ResolveResult } from "../source.js";
import { makeTar, writeOciLayout, codeOf } from "../testing/index.js";
import { openDockerArchive, openOciArchive } from "./archives.js";
import { openOciLayout } from "./layout.js";

const run = promisify(execFile);
let dir: string;
let n = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lkt-local-"));
  await writeOciLayout(join(dir, "layout"), "v1", [
    {
      labels: { "org.opencontainers.image.title": "local" },
      layers: [
        { entries: [{ name: "etc/os-release", content: "ID=alpine\n" }] },
        { compression: "zstd", entries: [{ name: "etc/motd", content: "hi\n" }] },
      ],
    },
  ]);
  // Real archive writers: skopeo produces both formats from the layout.
  await run("skopeo", ["copy", "--quiet", `oci:${join(dir, "layout")}:v1`, `oci-archive:${join(dir, "img.oci.tar")}:v1`]);
  await writeOciLayout(join(dir, "gz"), "v1", [{ layers: [{ entries: [{ name: "etc/os-release", content: "ID=alpine\n" }] }, { entries: [{ name: "etc/motd", content: "hi\n" }] }] }]);
  await run("skopeo", ["copy", "--quiet", `oci:${join(dir, "gz")}:v1`, `docker-archive:${join(dir, "img.docker.tar")}:local/app:v1`]);
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function files(r: ResolveResult): Promise<Record<string, string>> {
  if (r.kind !== "images") throw new Error("not an image");
  const img: ImageSource = r.images[0]!;
  const out: Record<string, string> = {};
  for (const l of img.layers) {
    const c = await scanLayer(await img.openLayer(l), { digest: l.digest, mediaType: l.mediaType, wants: () => true, scratchDir: join(dir, "scan", String(++n)) });
    for (const [p, f] of c.files) out[p] = await readFile(f.hostPath!, "utf8");
  }
  return out;
}

const want = { "/etc/os-release": "ID=alpine\n", "/etc/motd": "hi\n" };

describe("local image sources", () => {
  it("reads an OCI image layout by tag, and its config", async () => {
    const r = await openOciLayout(join(dir, "layout"), "v1");
    expect(r.kind === "images" && r.images[0]!.config.labels).toEqual({ "org.opencontainers.image.title": "local" });
    expect(await files(r)).toEqual(want);
    expect(await codeOf(openOciLayout(join(dir, "layout"), "nope"))).toBe("LKT_ERR_BLOB_NOT_FOUND");
    expect(await codeOf(openOciLayout(join(dir, "missing"), "v1"))).toBe("LKT_ERR_SOURCE_INVALID");
  });

  it("reads an oci-archive written by skopeo", async () => {
    expect(await files(await openOciArchive(join(dir, "img.oci.tar"), "v1", { scratchDir: join(dir, "oa") }))).toEqual(want);
  });

  it("reads a docker-archive (docker save format) written by skopeo", async () => {
    const r = await openDockerArchive(join(dir, "img.docker.tar"), "local/app:v1", { scratchDir: join(dir, "da") });
    expect(r.kind === "images" && r.images[0]!.platform).toEqual({ os: "linux", architecture: "amd64" });
    expect(await files(r)).toEqual(want);
    expect(await codeOf(openDockerArchive(join(dir, "img.docker.tar"), "other:v1", { scratchDir: join(dir, "da2") }))).toBe("LKT_ERR_BLOB_NOT_FOUND");
  });

  it("detects a tampered layer blob in a layout", async () => {
    const w = await writeOciLayout(join(dir, "tamper"), "v1", [{ layers: [{ compression: "none", entries: [{ name: "etc/t", content: "original\n" }] }] }]);
    const p = join(dir, "tamper/blobs/sha256", w[0]!.layerDigests[0]!.slice(7));
    const b = await readFile(p);
    b.write("ORIGINAL", b.indexOf("original"));
    await writeFile(p, b);
    expect(await codeOf(files(await openOciLayout(join(dir, "tamper"), "v1")))).toBe("LKT_ERR_DIGEST_MISMATCH");
  });

  it("refuses an archive whose entries climb out with ..", async () => {
    const evil = await makeTar([{ name: "../../escape", content: "x" }]);
    await writeFile(join(dir, "evil.tar"), evil);
    expect(await codeOf(openOciArchive(join(dir, "evil.tar"), "v1", { scratchDir: join(dir, "evil") }))).toBe("LKT_ERR_PATH_ESCAPE");
  });

  it("refuses an archive that is not a docker-archive", async () => {
    await writeFile(join(dir, "plain.tar"), await makeTar([{ name: "hello", content: "x" }]));
    expect(await codeOf(openDockerArchive(join(dir, "plain.tar"), "", { scratchDir: join(dir, "plain") }))).toBe("LKT_ERR_SOURCE_INVALID");
  });

  it("refuses an oversize manifest in a layout", async () => {
    expect(await codeOf(openOciLayout(join(dir, "layout"), "v1", { maxManifestBytes: 50 }))).toBe("LKT_ERR_MANIFEST_TOO_LARGE");
  });
});
