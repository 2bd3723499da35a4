import type { Distro, Package } from "./types.js";
import { osEcosystem, packageTypeFits } from "./os-release/ecosystem.js";
import { osPurl } from "./purl/os.js";
import { DPKG_LICENSE_NOTE } from "./dpkg/index.js";

const OS_TYPES = new Set(["dpkg", "apk", "rpm"]);

/**
 * Last step of an inventory, once layers are merged and the distro is known: OS packages
 * (dpkg, apk, rpm) get their distro ecosystem ("Debian:12") and a purl rebuilt with the
 * distro's namespace and `distro=` qualifier. Other packages pass through unchanged.
 * dpkg packages take their licenses from the copyright notes (DPKG_LICENSE_NOTE) of the
 * same name, and the notes are dropped. Returns new objects; the input is not modified.
 */
export function finalizeInventory(packages: Package[], distro?: Distro): Package[] {
  const dpkgLicenses = new Map<string, string[]>();
  for (const p of packages) if (p.type === DPKG_LICENSE_NOTE && p.licenses) dpkgLicenses.set(p.name, p.licenses);
  return packages.flatMap((p) => {
    if (p.type === DPKG_LICENSE_NOTE) return [];
    if (!OS_TYPES.has(p.type)) return [p];
    const fitting = distro && packageTypeFits(p.type, distro) ? distro : undefined;
    const licenses = p.type === "dpkg" && !p.licenses ? dpkgLicenses.get(p.name) : undefined;
    return [
      {
        ...p,
        ecosystem: osEcosystem(p.type, distro),
        purl: osPurl(p, fitting) ?? p.purl,
        ...(licenses ? { licenses: [...licenses] } : {}),
      },
    ];
  });
}
