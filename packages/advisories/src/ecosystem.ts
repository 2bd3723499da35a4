/**
 * OSV ecosystem strings are "<base>[:<release or registry>]": "Debian:12", "Alpine:v3.19",
 * "Ubuntu:22.04:LTS", "Ubuntu:Pro:14.04:LTS", "Red Hat:rhel_aus:8.6::appstream",
 * "Packagist:https://packages.drupal.org/8". The base is canonicalised case-insensitively for the
 * names we know (feeds disagree: Bitnami publishes both "bitnami" and "Bitnami").
 */

const KNOWN = [
  "AlmaLinux", "Alpine", "Alpaquita", "Android", "Azure Linux", "Bellsoft Hardened Containers", "Bioconductor",
  "Bitnami", "Chainguard", "CRAN", "crates.io", "Debian", "Echo", "GHC", "GitHub Actions", "Go", "Hackage", "Hex",
  "Linux", "Mageia", "Maven", "MinimOS", "npm", "NuGet", "openEuler", "openSUSE", "OSS-Fuzz", "Packagist",
  "Photon OS", "Pub", "PyPI", "Red Hat", "Rocky Linux", "RubyGems", "SUSE", "SwiftURL", "Ubuntu", "VSCode", "Wolfi",
  "Amazon Linux",
] as const;
const CANONICAL = new Map<string, string>(KNOWN.map((k) => [k.toLowerCase(), k]));

/** Ecosystems whose advisories are per distro release and name source packages. */
export const DISTRO_ECOSYSTEMS: ReadonlySet<string> = new Set([
  "AlmaLinux", "Alpine", "Alpaquita", "Azure Linux", "Chainguard", "Debian", "Mageia", "MinimOS", "openEuler",
  "openSUSE", "Photon OS", "Red Hat", "Rocky Linux", "SUSE", "Ubuntu", "Wolfi", "Amazon Linux", "Echo",
]);

export interface SplitEcosystem {
  ecosystem: string;
  release?: string;
}

export function splitEcosystem(raw: string): SplitEcosystem {
  const i = raw.indexOf(":");
  const base = (i < 0 ? raw : raw.slice(0, i)).trim();
  const ecosystem = CANONICAL.get(base.toLowerCase()) ?? base;
  const release = i < 0 ? "" : raw.slice(i + 1).trim();
  return release === "" ? { ecosystem } : { ecosystem, release };
}

export function isDistroEcosystem(ecosystem: string): boolean {
  return DISTRO_ECOSYSTEMS.has(splitEcosystem(ecosystem).ecosystem);
}
