import { LookoutError } from "@lookout/domain";
import { apk } from "./apk.js";
import { crates } from "./crates.js";
import { dpkg } from "./dpkg.js";
import { go } from "./go.js";
import { maven } from "./maven.js";
import { npm } from "./npm.js";
import { nuget } from "./nuget.js";
import { packagist } from "./packagist.js";
import { pep440 } from "./pep440.js";
import { rpm } from "./rpm.js";
import { rubygems } from "./rubygems.js";
import type { VersionScheme } from "./scheme.js";
import { semver } from "./semver.js";

/**
 * OSV ecosystem name (the part before the first ':') → version scheme. One line per ecosystem;
 * several ecosystems share a scheme (every rpm distribution uses rpm's labelCompare).
 */
export const SCHEMES_BY_ECOSYSTEM: Readonly<Record<string, VersionScheme>> = Object.freeze({
  Debian: dpkg,
  Ubuntu: dpkg,
  Alpine: apk,
  Wolfi: apk,
  Chainguard: apk,
  "Red Hat": rpm,
  "Rocky Linux": rpm,
  AlmaLinux: rpm,
  SUSE: rpm,
  openSUSE: rpm,
  "Amazon Linux": rpm,
  Bitnami: semver,
  npm,
  PyPI: pep440,
  Go: go,
  Maven: maven,
  RubyGems: rubygems,
  "crates.io": crates,
  Packagist: packagist,
  NuGet: nuget,
});

/** "Debian:12" → "Debian", "Red Hat:enterprise_linux:9" → "Red Hat". */
export function baseEcosystem(ecosystem: string): string {
  const i = ecosystem.indexOf(":");
  return (i < 0 ? ecosystem : ecosystem.slice(0, i)).trim();
}

/**
 * The scheme for an OSV ecosystem name, with or without its ":suffix".
 * Throws `LookoutError("LKT_ERR_ECOSYSTEM_UNSUPPORTED")` for names not in the table.
 */
export function schemeFor(ecosystem: string): VersionScheme {
  const base = baseEcosystem(ecosystem);
  const scheme = Object.hasOwn(SCHEMES_BY_ECOSYSTEM, base) ? SCHEMES_BY_ECOSYSTEM[base] : undefined;
  if (!scheme) {
    throw new LookoutError("LKT_ERR_ECOSYSTEM_UNSUPPORTED", `unsupported ecosystem ${JSON.stringify(ecosystem)}`, {
      details: { ecosystem },
    });
  }
  return scheme;
}

/** Every ecosystem name `schemeFor` accepts (without suffixes). */
export function supportedEcosystems(): string[] {
  return Object.keys(SCHEMES_BY_ECOSYSTEM);
}
