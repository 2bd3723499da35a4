import type { Package } from "../types.js";
import { NPM_CATALOGER } from "./package.js";

/** Project directory of an installed package: where its outermost node_modules sits. */
function installedProjectDir(path: string): string | undefined {
  const i = path.indexOf("/node_modules/");
  return i < 0 ? undefined : path.slice(0, i) || "/";
}

function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

/**
 * Merge-time rule for npm: a lockfile only counts where no installed tree exists next to it.
 * Drops every lockfile-derived npm package (meta.source = "lockfile") whose lockfile directory
 * also holds node_modules entries in `packages`; everything else passes through unchanged.
 * Call it on the merged (all layers) package list, as installs often land in a later layer.
 */
export function coalesceNpm(packages: Package[]): Package[] {
  const installed = new Set<string>();
  for (const p of packages) {
    if (p.type !== NPM_CATALOGER || p.meta?.source === "lockfile") continue;
    const dir = installedProjectDir(p.path);
    if (dir !== undefined) installed.add(dir);
  }
  if (installed.size === 0) return packages;
  return packages.filter((p) => p.type !== NPM_CATALOGER || p.meta?.source !== "lockfile" || !installed.has(dirname(p.path)));
}
