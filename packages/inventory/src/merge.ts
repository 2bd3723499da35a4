import type { Package, Unknown } from "@lookout/domain";
import { isUnder, resolveInRoot } from "@lookout/oci";
import type { LayerResult } from "./layer-result.js";

interface PathState {
  packages: Package[];
  unknowns: Unknown[];
}

const pkgKey = (p: Package) => `${p.type}\0${p.name}\0${p.version}\0${p.arch ?? ""}\0${p.path}`;

function deleteUnder<V>(m: Map<string, V>, dir: string, self: boolean): void {
  for (const k of [...m.keys()]) if (isUnder(k, dir) && (self || k !== dir)) m.delete(k);
}

export interface MergedLayers {
  packages: Package[];
  unknowns: Unknown[];
  /** Distro files as the top of the image sees them, keyed by the requested path (symlinks followed). */
  distroFiles: Map<string, Buffer>;
}

/**
 * Overlay per-layer results bottom to top, as the container's filesystem would: whiteouts and
 * opaque directories delete lower paths, a path present in a higher layer replaces the lower
 * one. A package keeps the digest of the lowest layer from which the same (type, name,
 * version, arch, path) survived unbroken to the top, so a base-layer package stays attributed
 * to the base even when a later layer rewrote its database file.
 */
export function mergeLayers(layers: LayerResult[], distroPaths: readonly string[]): MergedLayers {
  const state = new Map<string, PathState>();
  const links = new Map<string, string>();
  const distro = new Map<string, Buffer>();
  const layerUnknowns: Unknown[] = [];
  for (const l of layers) {
    for (const m of [state, links, distro] as Map<string, unknown>[]) {
      for (const dir of l.opaqueDirs) deleteUnder(m, dir, false);
      for (const w of l.whiteouts) deleteUnder(m, w, true);
    }
    for (const [p, t] of l.symlinks) {
      links.set(p, t);
      state.delete(p);
      distro.delete(p);
    }
    for (const [p, b64] of l.distroFiles) {
      distro.set(p, Buffer.from(b64, "base64"));
      links.delete(p);
    }
    for (const f of l.files) {
      const lower = new Map((state.get(f.path)?.packages ?? []).map((p) => [pkgKey(p), p.layerDigest]));
      state.set(f.path, {
        packages: f.packages.map((p) => ({ ...p, layerDigest: lower.get(pkgKey(p)) ?? l.digest })),
        unknowns: f.unknowns.map((reason) => ({ path: f.path, reason, layerDigest: l.digest })),
      });
      links.delete(f.path);
      if (!l.distroFiles.some(([p]) => p === f.path)) distro.delete(f.path);
    }
    layerUnknowns.push(...l.unknowns);
  }
  const distroFiles = new Map<string, Buffer>();
  for (const want of distroPaths) {
    const real = resolveInRoot(want, (p) => links.get(p));
    if (real === undefined) layerUnknowns.push({ path: want, reason: "symlink loop" });
    const content = real === undefined ? undefined : distro.get(real);
    if (content) distroFiles.set(want, content);
  }
  const all = [...state.values()];
  return { packages: all.flatMap((s) => s.packages), unknowns: [...layerUnknowns, ...all.flatMap((s) => s.unknowns)], distroFiles };
}
