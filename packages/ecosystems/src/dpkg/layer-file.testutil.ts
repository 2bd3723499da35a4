import { createReadStream, readFileSync, statSync } from "node:fs";
import { LookoutError } from "@lookout/domain";
import type { CatalogContext, LayerFile } from "../types.js";

/** Test helper: a host file presented as a kept layer file at `path`, as the layer walker would. */
export function layerFile(hostPath: string, path: string): LayerFile {
  const size = statSync(hostPath).size;
  return {
    path,
    size,
    mode: 0o644,
    layerDigest: `sha256:${"0".repeat(64)}`,
    hostPath: async () => hostPath,
    async read(maxBytes?: number) {
      if (maxBytes !== undefined && size > maxBytes) throw new LookoutError("LKT_ERR_LAYER_LIMIT", `${path} over ${maxBytes} bytes`);
      return readFileSync(hostPath);
    },
    stream: () => createReadStream(hostPath),
  };
}

/** Test helper: a catalog context that records unknowns. */
export function recordingContext(siblings: Record<string, LayerFile> = {}): CatalogContext & { unknowns: { path: string; reason: string }[] } {
  const unknowns: { path: string; reason: string }[] = [];
  return {
    unknowns,
    unknown: (path, reason) => unknowns.push({ path, reason }),
    sibling: (p) => siblings[p],
  };
}
