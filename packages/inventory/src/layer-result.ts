import type { Package, Unknown } from "@lookout/domain";

/** Everything the merge step needs from one layer; what the layer cache stores (JSON-safe). */
export interface LayerResult {
  digest: string;
  /** Per kept path: the packages all catalogers found in it ([] still hides lower layers). */
  files: { path: string; packages: Package[]; unknowns: string[] }[];
  whiteouts: string[];
  opaqueDirs: string[];
  /** Symlinks on the way to a distro file (e.g. /etc/os-release → ../usr/lib/os-release). */
  symlinks: [string, string][];
  /** Distro identification files kept whole (small), base64. */
  distroFiles: [string, string][];
  /** Layer-level unknowns (file over the keep cap, unkept hardlink target). */
  unknowns: Unknown[];
}
