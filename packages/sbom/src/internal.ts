import type { Inventory } from "@lookout/domain";
import type { SbomCommonOptions, SbomImageMeta } from "./types.js";

export const INTERNAL_FORMAT = "lookout-inventory";
export const INTERNAL_VERSION = 1;

/** Lookout's own JSON: the inventory as scanned, with a small envelope naming format and image. */
export interface InternalSbom {
  format: typeof INTERNAL_FORMAT;
  version: typeof INTERNAL_VERSION;
  created: string;
  tool: { name: string; version: string };
  image: SbomImageMeta;
  distro?: Inventory["distro"];
  packages: Inventory["packages"];
  unknowns: Inventory["unknowns"];
}

export function toInternalJson(inventory: Inventory, meta: SbomImageMeta, opts: SbomCommonOptions = {}): InternalSbom {
  const doc: InternalSbom = {
    format: INTERNAL_FORMAT,
    version: INTERNAL_VERSION,
    created: opts.timestamp ?? new Date().toISOString(),
    tool: opts.tool ?? { name: "lookout", version: "0.1.0" },
    image: meta,
    packages: inventory.packages,
    unknowns: inventory.unknowns,
  };
  if (inventory.distro) doc.distro = inventory.distro;
  return doc;
}
