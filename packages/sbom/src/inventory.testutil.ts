import { createReadStream, existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { Inventory, LayerFile, Package } from "@lookout/domain";
import { CATALOGERS, detectDistro, DISTRO_FILES, finalizeInventory } from "@lookout/ecosystems";

const IMAGES = new URL("../testdata/images/", import.meta.url).pathname;

/** A fake single-layer digest per test image, so layer properties have a value to carry. */
export const LAYER = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? walk(join(dir, e)) : [join(dir, e)]));
}

/**
 * Test helper: catalogs one of testdata/images/<name> (real package databases and os-release
 * files) with the real catalogers, the way the layer walker does for a one-layer image.
 */
export async function inventoryOf(name: string): Promise<Inventory> {
  const root = join(IMAGES, name);
  const packages: Package[] = [];
  const unknowns: Inventory["unknowns"] = [];
  for (const host of walk(root)) {
    const path = `/${relative(root, host)}`;
    const size = statSync(host).size;
    const file: LayerFile = {
      path, size, mode: 0o644, layerDigest: LAYER, hostPath: async () => host,
      read: async () => readFileSync(host),
      stream: () => createReadStream(host),
    };
    for (const c of CATALOGERS.filter((x) => x.wants(path, { size, mode: 0o644 }))) {
      const found = await c.parse(file, { unknown: (p, reason) => unknowns.push({ path: p, reason }), sibling: () => undefined });
      packages.push(...found.map((p) => ({ ...p, layerDigest: LAYER })));
    }
  }
  const release = new Map<string, Buffer>();
  for (const p of DISTRO_FILES) if (existsSync(root + p)) release.set(p, readFileSync(root + p));
  const distro = detectDistro(release);
  return { distro, packages: finalizeInventory(packages, distro), unknowns };
}
