import type { NormalisedSeverity } from "@lookout/advisories";
import type { FixState } from "@lookout/domain";

/**
 * One vulnerability in one installed package. Records that describe the same vulnerability
 * (DSA/DLA, DEBIAN-CVE, UBUNTU-CVE, GHSA, GO, PYSEC ... aliasing one CVE) are merged into one finding.
 */
export interface Finding {
  /** Primary id: a CVE when the alias group has one (smallest), else GHSA, else the smallest id. */
  advisoryId: string;
  /** Every other id of the merged group (aliases, upstream CVEs, the source record ids), sorted. */
  aliases: string[];
  /** Ids of the advisory records that matched, sorted. */
  sources: string[];
  packageName: string;
  packagePurl: string;
  /** Version as installed (the binary version for distro packages). */
  installedVersion: string;
  /** Name/version the advisory was evaluated against when it differs (distro source package). */
  matchedName?: string;
  matchedVersion?: string;
  /** Union of the fixed versions relevant to the installed version, sorted by the ecosystem's order. */
  fixedVersions: string[];
  state: FixState;
  /** Highest severity across the merged records, with where it came from. */
  severity: NormalisedSeverity;
  layerDigest?: string;
  path: string;
  ecosystem: string;
  summary?: string;
}

/** Counters for one `match` call; unknowns are counted, never fatal. */
export interface MatchStats {
  packages: number;
  /** Candidate advisories looked at (after the caller's prefilter). */
  candidates: number;
  findings: number;
  withdrawnSkipped: number;
  /**
   * Distro packages skipped because the image has no detectable (or no supported) distro, or the
   * package's format does not belong to it (an apk database in a Debian image).
   */
  noDistro: number;
  /** (package, advisory) pairs not evaluated: installed version invalid for the scheme. */
  invalidInstalledVersion: number;
  /** (package, advisory) pairs not evaluated: ecosystem without a version scheme. */
  unsupportedEcosystem: number;
  invalidRanges: number;
  gitRangesIgnored: number;
  invalidListedVersions: number;
}

export function newMatchStats(): MatchStats {
  return {
    packages: 0, candidates: 0, findings: 0, withdrawnSkipped: 0, noDistro: 0, invalidInstalledVersion: 0,
    unsupportedEcosystem: 0, invalidRanges: 0, gitRangesIgnored: 0, invalidListedVersions: 0,
  };
}
