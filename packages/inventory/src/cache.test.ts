import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DirectoryLayerCache, MemoryLayerCache, layerCacheKey } from "./cache.js";
import type { LayerResult } from "./layer-result.js";
import { dpkgTestCataloger, linesTestCataloger } from "./test-catalogers.js";

const result = (digest: string): LayerResult => ({ digest, files: [{ path: "/a", packages: [], unknowns: [] }], whiteouts: [], opaqueDirs: [], symlinks: [], distroFiles: [], unknowns: [] });
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lkt-cache-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("layer caches", () => {
  it("keys on digest and the sorted cataloger name@version list", () => {
    const a = layerCacheKey("sha256:1", [dpkgTestCataloger(1), linesTestCataloger]);
    expect(layerCacheKey("sha256:1", [linesTestCataloger, dpkgTestCataloger(1)])).toBe(a);
    expect(layerCacheKey("sha256:1", [dpkgTestCataloger(2), linesTestCataloger])).not.toBe(a);
  });

  it("the memory cache evicts the least recently used entry and counts hits and misses", async () => {
    const c = new MemoryLayerCache(2);
    await c.set("a", result("a"));
    await c.set("b", result("b"));
    await c.get("a");
    await c.set("c", result("c"));
    expect(await c.get("b")).toBeUndefined();
    expect((await c.get("a"))?.digest).toBe("a");
    expect(c.stats).toEqual({ hits: 2, misses: 1 });
  });

  it("the directory cache treats a corrupt entry as a miss and removes it", async () => {
    const c = new DirectoryLayerCache(dir);
    await c.set("k", result("k"));
    const [name] = await readdir(dir);
    await writeFile(join(dir, name!), "{truncated");
    expect(await c.get("k")).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
    expect(c.stats).toEqual({ hits: 0, misses: 1 });
  });
});
