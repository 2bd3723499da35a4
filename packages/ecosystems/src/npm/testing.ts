import { createReadStream, statSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { LookoutError } from "@lookout/domain";
import type { CatalogContext, FileCataloger, LayerFile, Package } from "../types.js";

/**
 * Test helpers shared by the language cataloger tests: a LayerFile backed by a real host file
 * (what the layer walker hands over) and a context that records unknowns.
 */
export function layerFileFrom(hostPath: string, path: string, mode = 0o644): LayerFile {
  const size = statSync(hostPath).size;
  return {
    path,
    size,
    mode,
    layerDigest: "sha256:" + "0".repeat(64),
    hostPath: async () => hostPath,
    async read(maxBytes?: number) {
      if (maxBytes !== undefined && size > maxBytes) {
        throw new LookoutError("LKT_ERR_LAYER_LIMIT", `${path} is ${size} bytes, over the ${maxBytes} byte cap`);
      }
      return readFile(hostPath);
    },
    stream: () => createReadStream(hostPath),
  };
}

/** Writes `content` to a fresh temp file and wraps it as the image file `path`. */
export async function tempLayerFile(content: Buffer | string, path: string, mode = 0o644): Promise<LayerFile> {
  const dir = await mkdtemp(join(tmpdir(), "lookout-lang-"));
  // Removed when the calling test ends (tests only call this from inside a test).
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const hostPath = join(dir, "file");
  await writeFile(hostPath, content);
  return layerFileFrom(hostPath, path, mode);
}

export interface RecordingContext extends CatalogContext {
  unknowns: { path: string; reason: string }[];
}

export function recordingContext(): RecordingContext {
  const unknowns: { path: string; reason: string }[] = [];
  return { unknowns, unknown: (path, reason) => unknowns.push({ path, reason }), sibling: () => undefined };
}

/** Absolute path of a file under packages/ecosystems/testdata/lang. */
export function testdata(rel: string): string {
  return new URL(`../../testdata/lang/${rel}`, import.meta.url).pathname;
}

/** Calls `parse` through the FileCataloger contract (the walker always passes a context). */
export function parseWith(cataloger: FileCataloger, file: LayerFile, ctx: CatalogContext = recordingContext()): Promise<Package[]> {
  return cataloger.parse(file, ctx);
}
