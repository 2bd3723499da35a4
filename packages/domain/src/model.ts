/**
 * Domain types shared by every package. Pure data: no I/O here.
 */

export const DIGEST_RE = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
/** OCI distribution-spec repository name grammar. */
export const REPOSITORY_RE = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;
export const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export type Digest = string;

/** Where an image lives: always a registry host the operator configured. */
export interface ImageRef {
  registry: string; // host[:port] as configured
  repository: string;
  digest?: Digest;
  tag?: string;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Distro {
  /** os-release ID, lower case: debian, ubuntu, alpine, rhel, rocky, almalinux, fedora, centos, amzn, sles, opensuse-leap, wolfi, chainguard, ... */
  id: string;
  versionId?: string;
  codename?: string;
  prettyName?: string;
}

/** OSV ecosystem names are the canonical ecosystem identifiers. */
export type EcosystemName =
  | "Debian" | "Ubuntu" | "Alpine" | "Red Hat" | "Rocky Linux" | "AlmaLinux" | "SUSE" | "openSUSE"
  | "Wolfi" | "Chainguard" | "Amazon Linux"
  | "npm" | "PyPI" | "Go" | "Maven" | "RubyGems" | "crates.io" | "Packagist" | "NuGet";

/** A package found in an image. */
export interface Package {
  /** Cataloger name that found it: dpkg, apk, rpm, npm, python, go-binary, java-archive, ... */
  type: string;
  name: string;
  version: string;
  /** OSV ecosystem whose advisories apply. For OS packages the distro ecosystem. */
  ecosystem: string;
  purl: string;
  arch?: string;
  /** dpkg Source / apk origin / rpm source rpm name. Advisories for distros name this. */
  sourceName?: string;
  sourceVersion?: string;
  epoch?: number;
  release?: string;
  licenses?: string[];
  /** Digest of the layer that introduced the file the package was read from. */
  layerDigest?: string;
  /** Path inside the image of the file it was read from. */
  path: string;
  /** Extra fields a cataloger records (vendor, modularity label, go toolchain, ...). */
  meta?: Record<string, string>;
}

/** A file that could not be read: recorded on the scan, never fatal. */
export interface Unknown {
  path: string;
  reason: string;
  layerDigest?: string;
}

export const SEVERITIES = ["critical", "high", "medium", "low", "negligible", "unknown"] as const;
export type Severity = (typeof SEVERITIES)[number];
export const SEVERITY_RANK: Record<Severity, number> = { critical: 5, high: 4, medium: 3, low: 2, negligible: 1, unknown: 0 };

/** Distro state of a finding: lets an operator hide what has no fix. */
export const FIX_STATES = ["fixed", "not-fixed", "will-not-fix", "end-of-life", "unimportant", "unknown"] as const;
export type FixState = (typeof FIX_STATES)[number];

export interface ImageConfigSummary {
  created?: string;
  user?: string;
  envKeys: string[];
  labels: Record<string, string>;
  exposedPorts?: string[];
  entrypoint?: string[];
  cmd?: string[];
  workingDir?: string;
}

export interface LayerDescriptor {
  digest: Digest;
  mediaType: string;
  size: number;
}
