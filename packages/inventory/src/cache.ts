import { createHash } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { FileCataloger } from "@lookout/domain";
import type { LayerResult } from "./layer-result.js";

/** Hit/miss counters a caller turns into metrics (hit rate = hits / (hits + misses)). */
export interface CacheStats {
  hits: number;
  misses: number;
}

/**
 * Per-layer results keyed by (layer digest, cataloger name@version list, distro files).
 * `get` returns undefined on a miss or an unreadable entry; a cache never throws for content.
 */
export interface LayerCache {
  readonly stats: CacheStats;
  get(key: string): Promise<LayerResult | undefined>;
  set(key: string, value: LayerResult): Promise<void>;
}

/** The cache key: a bumped cataloger version or a different cataloger set misses. */
export function layerCacheKey(digest: string, catalogers: readonly FileCataloger[], distroFiles: readonly string[] = []): string {
  const cats = catalogers.map((c) => `${c.name}@${c.version}`).sort();
  return `${digest}|${cats.join(",")}|${[...distroFiles].sort().join(",")}`;
}

/** In-process LRU, bounded by entry count. */
export class MemoryLayerCache implements LayerCache {
  readonly stats: CacheStats = { hits: 0, misses: 0 };
  private readonly map = new Map<string, LayerResult>();
  constructor(private readonly maxEntries = 512) {}

  async get(key: string): Promise<LayerResult | undefined> {
    const v = this.map.get(key);
    if (!v) {
      this.stats.misses++;
      return undefined;
    }
    this.map.delete(key);
    this.map.set(key, v);
    this.stats.hits++;
    return structuredClone(v);
  }

  async set(key: string, value: LayerResult): Promise<void> {
    this.map.delete(key);
    this.map.set(key, structuredClone(value));
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value!);
  }
}

/** One JSON file per entry in `dir`, named by sha256(key); written atomically (tmp + rename). */
export class DirectoryLayerCache implements LayerCache {
  readonly stats: CacheStats = { hits: 0, misses: 0 };
  constructor(private readonly dir: string) {}

  private file(key: string): string {
    return join(this.dir, `${createHash("sha256").update(key).digest("hex")}.json`);
  }

  async get(key: string): Promise<LayerResult | undefined> {
    try {
      const doc = JSON.parse(await readFile(this.file(key), "utf8")) as { key: string; value: LayerResult };
      if (doc.key !== key || !Array.isArray(doc.value?.files)) throw new Error("stale");
      this.stats.hits++;
      return doc.value;
    } catch (e) {
      // Missing or unreadable: a miss; a corrupt entry is removed so it is rewritten.
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") await rm(this.file(key), { force: true });
      this.stats.misses++;
      return undefined;
    }
  }

  async set(key: string, value: LayerResult): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const dest = this.file(key);
    const tmp = `${dest}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, JSON.stringify({ key, value }), { mode: 0o600 });
    await rename(tmp, dest);
  }
}
