import { parseArgs } from "node:util";
import { toCycloneDX, toInternalJson, toSPDX } from "@lookout/sbom";
import { inventoryOf } from "@lookout/scan-pipeline";
import { IMAGE_OPTIONS, progress, withImage } from "./scan.js";

const FORMATS = ["cyclonedx", "spdx", "json"] as const;
const USAGE = "usage: lookout sbom <image-ref | oci-layout-dir | docker-archive.tar | oci-archive.tar> [--format cyclonedx|spdx|json] [--insecure]\n";

/** Print an image's SBOM (no advisory database needed). */
export async function sbomCommand(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { ...IMAGE_OPTIONS, format: { type: "string", default: "cyclonedx" } } });
  const format = values.format as (typeof FORMATS)[number];
  if (positionals.length !== 1 || !FORMATS.includes(format)) {
    process.stderr.write(USAGE);
    return 2;
  }
  const onLayer = progress();
  await withImage(positionals[0]!, values, async (src, meta, scratchDir) => {
    const inv = await inventoryOf(src, { scratchDir, ...(onLayer ? { onLayer } : {}) });
    const doc = format === "spdx" ? toSPDX(inv, meta) : format === "json" ? toInternalJson(inv, meta) : toCycloneDX(inv, meta);
    process.stdout.write(JSON.stringify(doc, null, 2) + "\n");
  });
  return 0;
}
