import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient, type FetchLike, type ImageSource } from "@lookout/oci";
import { skopeoPush, startRegistry, writeOciLayout, type RunningRegistry, type TestLayer } from "@lookout/oci/testing";
import { buildInventory } from "./build-inventory.js";
import { MemoryLayerCache } from "./cache.js";
import { detectTestDistro, dpkgTestCataloger } from "./test-catalogers.js";

let dir: string;
let reg: RunningRegistry;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lkt-inv-reg-"));
  const status = await readFile(join(import.meta.dirname, "..", "testdata", "dpkg-status-ubuntu-18.04"), "utf8");
  const osRelease = await readFile(join(import.meta.dirname, "..", "testdata", "os-release-debian-12"), "utf8");
  const base: TestLayer = { entries: [{ name: "etc/os-release", content: osRelease }, { name: "var/lib/dpkg/status", content: status }] };
  const mid: TestLayer = { compression: "zstd", entries: [{ name: "usr/share/doc/readme", content: "docs\n" }] };
  reg = await startRegistry(dir, "anon", join(dir, "storage"), { kind: "none" });
  await writeOciLayout(join(dir, "a"), "v1", [{ layers: [base, mid, { entries: [{ name: "app/a", content: "a" }] }] }]);
  await writeOciLayout(join(dir, "b"), "v1", [{ layers: [base, mid, { entries: [{ name: "app/b", content: "b" }] }] }]);
  await skopeoPush(join(dir, "a"), "v1", `${reg.host}/svc-a:v1`);
  await skopeoPush(join(dir, "b"), "v1", `${reg.host}/svc-b:v1`);
}, 60_000);

afterAll(async () => {
  await reg?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("buildInventory over the registry client", () => {
  it("scans an image pulled from docker-registry; a second image sharing base layers fetches only its own layer", async () => {
    const blobGets: string[] = [];
    const spy: FetchLike = (u, init) => {
      if (String(u).includes("/blobs/")) blobGets.push(String(u).split("/blobs/")[1]!);
      return fetch(u, init);
    };
    const client = new RegistryClient({ registries: [{ host: reg.host, insecure: true }], fetch: spy });
    const image = async (repo: string): Promise<ImageSource> => {
      const r = await client.resolve({ registry: reg.host, repository: repo, tag: "v1" });
      if (r.kind !== "images") throw new Error("not an image");
      return r.images[0]!;
    };
    const cache = new MemoryLayerCache();
    const opts = { catalogers: [dpkgTestCataloger()], detectDistro: detectTestDistro, cache, scratchDir: join(dir, "scratch") };
    const a = await image("svc-a");
    const invA = await buildInventory(a, opts);
    expect(invA.distro).toEqual({ id: "debian", versionId: "12" });
    expect(invA.packages).toHaveLength(90);
    expect(new Set(invA.packages.map((p) => p.layerDigest))).toEqual(new Set([a.layers[0]!.digest]));
    blobGets.length = 0;
    const b = await image("svc-b");
    const layerGetsBefore = blobGets.length; // the config blob
    const invB = await buildInventory(b, opts);
    expect(blobGets.slice(layerGetsBefore)).toEqual([b.layers[2]!.digest]);
    expect(cache.stats).toEqual({ hits: 2, misses: 4 });
    expect(invB.packages.map((p) => p.name)).toEqual(invA.packages.map((p) => p.name));
  });
});
