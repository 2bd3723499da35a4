import { createReadStream } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { LookoutError, describeError, type CatalogContext, type FileCataloger, type LayerFile, type Package } from "@lookout/domain";
import type { KeptFile, LayerContents } from "@lookout/oci";
import type { LayerResult } from "./layer-result.js";
import { hits } from "./want-index.js";

/** Distro files are small text files: keep at most this much of each. */
export const MAX_DISTRO_FILE_BYTES = 64 * 1024;

/**
 * A kept file as the catalogers see it. Files held in memory are written into `scratchDir`
 * (by sequence, never by image name) only when a random-access parser asks for a host path.
 */
function layerFile(f: KeptFile, layerDigest: string, keepCap: number, scratch: () => string): LayerFile {
  let host: Promise<string> | undefined = f.hostPath === undefined ? undefined : Promise.resolve(f.hostPath);
  const capped = (maxBytes: number) => {
    if (f.size > maxBytes) throw new LookoutError("LKT_ERR_LAYER_LIMIT", `${f.path} is ${f.size} bytes, read cap ${maxBytes}`);
  };
  return {
    path: f.path,
    size: f.size,
    mode: f.mode,
    layerDigest,
    hostPath() {
      if (!host) {
        const dest = scratch();
        host = writeFile(dest, f.bytes!, { flag: "wx", mode: 0o600 }).then(() => dest);
      }
      return host;
    },
    async read(maxBytes = keepCap) {
      capped(maxBytes);
      return f.bytes ?? readFile(f.hostPath!);
    },
    stream: () => (f.bytes ? Readable.from([f.bytes]) : createReadStream(f.hostPath!, { highWaterMark: 1 << 20 })),
  };
}

/** Parents of each distro file and the file itself: the only symlinks worth caching. */
function onDistroPaths(distroFiles: readonly string[]): (p: string) => boolean {
  const prefixes = new Set<string>();
  for (const f of distroFiles) {
    const parts = f.split("/").filter(Boolean);
    for (let i = 1; i <= parts.length; i++) prefixes.add("/" + parts.slice(0, i).join("/"));
  }
  return (p) => prefixes.has(p);
}

/**
 * Run every cataloger that wants a kept file over it. A cataloger that throws records an
 * unknown for that file; the layer goes on.
 */
export async function catalogLayer(c: LayerContents, catalogers: readonly FileCataloger[], distroFiles: readonly string[], keepCap: number, scratchDir: string): Promise<LayerResult> {
  let seq = 0;
  const scratch = () => join(scratchDir, `m${++seq}`);
  const files = new Map([...c.files].map(([p, f]) => [p, layerFile(f, c.digest, keepCap, scratch)]));
  const result: LayerResult = { digest: c.digest, files: [], whiteouts: c.whiteouts, opaqueDirs: c.opaqueDirs, symlinks: [], distroFiles: [], unknowns: c.unknowns };
  const distroSet = new Set(distroFiles);
  const keepLink = onDistroPaths(distroFiles);
  for (const [p, t] of c.symlinks) if (keepLink(p)) result.symlinks.push([p, t]);
  for (const [path, file] of files) {
    if (distroSet.has(path) && file.size <= MAX_DISTRO_FILE_BYTES) result.distroFiles.push([path, (await file.read()).toString("base64")]);
    const packages: Package[] = [];
    const unknowns: string[] = [];
    const ctx: CatalogContext = { unknown: (_p, reason) => void unknowns.push(reason), sibling: (p) => files.get(p) };
    for (const cat of catalogers) {
      const info = { size: file.size, mode: file.mode };
      // Same test as the walker's index: a cataloger only sees files its keys select.
      if ((cat.match && !hits(cat.match, path, info)) || !cat.wants(path, info)) continue;
      try {
        for (const pkg of await cat.parse(file, ctx)) packages.push({ ...pkg, path: pkg.path || path });
      } catch (e) {
        unknowns.push(`${cat.name}: ${describeError(e)}`);
      }
    }
    result.files.push({ path, packages, unknowns });
  }
  return result;
}
