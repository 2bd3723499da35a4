import type { Distro } from "../types.js";

/**
 * The advisory ecosystem of an OS package, "<OSV ecosystem>:<release>" where the release is
 * the one advisories are keyed by: Debian:12, Ubuntu:22.04, Alpine:v3.19, Red Hat:9,
 * Rocky Linux:9, AlmaLinux:9, SUSE:Linux Enterprise Server 15 SP3, openSUSE:Leap 15.2, Wolfi.
 * Without a release (debian sid, unknown distro) only the base name is returned.
 */
export function osEcosystem(pkgType: string, distro: Distro | undefined): string {
  if (!distro || !packageTypeFits(pkgType, distro)) return DEFAULT_FOR_TYPE[pkgType] ?? "";
  const id = distro.id;
  const v = distro.versionId;
  const major = v?.split(".")[0];
  switch (id) {
    case "debian":
      return major ? `Debian:${major}` : "Debian";
    case "ubuntu":
      return v ? `Ubuntu:${v}` : "Ubuntu";
    case "alpine": {
      const mm = v ? /^(\d+\.\d+)/.exec(v)?.[1] : undefined;
      return mm ? `Alpine:v${mm}` : "Alpine";
    }
    case "wolfi":
      return "Wolfi";
    case "chainguard":
      return "Chainguard";
    case "sles":
    case "sled":
      return v ? `SUSE:Linux Enterprise Server ${suseRelease(v)}` : "SUSE";
    case "sle-micro":
      return v ? `SUSE:Linux Enterprise Micro ${v}` : "SUSE";
    case "opensuse-leap":
      return v ? `openSUSE:Leap ${v}` : "openSUSE";
    case "opensuse-tumbleweed":
      return "openSUSE:Tumbleweed";
    default: {
      const name = RPM_NAMES[id] ?? id;
      // Amazon Linux and the RHEL family are keyed by major release; the rest by VERSION_ID.
      const rel = MAJOR_ONLY.has(id) ? major : v;
      return rel ? `${name}:${rel}` : name;
    }
  }
}

/** True when `distro` ships packages of `pkgType` (dpkg on Ubuntu yes, dpkg on Alpine no). */
export function packageTypeFits(pkgType: string, distro: Distro): boolean {
  return FAMILY[distro.id] === pkgType;
}

/** Which package manager each distro ships; a package of another type gets the type default. */
const FAMILY: Record<string, string> = {
  debian: "dpkg", ubuntu: "dpkg",
  alpine: "apk", wolfi: "apk", chainguard: "apk",
  rhel: "rpm", centos: "rpm", rocky: "rpm", almalinux: "rpm", fedora: "rpm", amzn: "rpm", ol: "rpm",
  sles: "rpm", sled: "rpm", "sle-micro": "rpm", "opensuse-leap": "rpm", "opensuse-tumbleweed": "rpm",
  photon: "rpm", mariner: "rpm", azurelinux: "rpm",
};

const DEFAULT_FOR_TYPE: Record<string, string> = { dpkg: "Debian", apk: "Alpine", rpm: "Red Hat" };

const RPM_NAMES: Record<string, string> = {
  rhel: "Red Hat", centos: "CentOS", rocky: "Rocky Linux", almalinux: "AlmaLinux", fedora: "Fedora",
  amzn: "Amazon Linux", ol: "Oracle Linux", photon: "Photon OS", mariner: "Mariner", azurelinux: "Azure Linux",
};
const MAJOR_ONLY = new Set(["rhel", "centos", "rocky", "almalinux", "ol", "amzn"]);

/** SLES VERSION_ID "15.3" → "15 SP3", "15" → "15". */
function suseRelease(v: string): string {
  const [maj, sp] = v.split(".");
  return sp && sp !== "0" ? `${maj} SP${sp}` : (maj ?? v);
}
