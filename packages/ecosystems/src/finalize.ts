import type { Distro, Package } from "./types.js";
import { osEcosystem, packageTypeFits } from "./os-release/ecosystem.js";
import { osPurl } from "./purl/os.js";

const OS_TYPES = new Set(["dpkg", "apk", "rpm"]);

/**
 * Last step of an inventory, once layers are merged and the distro is known: OS packages
 * (dpkg, apk, rpm) get their distro ecosystem ("Debian:12") and a purl rebuilt with the
 * distro's namespace and `distro=` qualifier. Other packages pass through unchanged.
 * Returns new objects; the input is not modified.
 */
export function finalizeInventory(packages: Package[], distro?: Distro): Package[] {
  return packages.map((p) => {
    if (!OS_TYPES.has(p.type)) return p;
    const fitting = distro && packageTypeFits(p.type, distro) ? distro : undefined;
    return {
      ...p,
      ecosystem: osEcosystem(p.type, distro),
      purl: osPurl(p, fitting) ?? p.purl,
    };
  });
}
