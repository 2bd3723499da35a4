import type { Digest, Platform } from "@lookout/domain";

/** What the SBOM says about the image itself (the document's subject). */
export interface SbomImageMeta {
  /** Display name: "registry/repo:tag", "registry/repo@digest" or a local source path. */
  name: string;
  /** Manifest digest, when known. */
  digest?: Digest;
  registry?: string;
  repository?: string;
  tag?: string;
  platform?: Platform;
}

export interface SbomTool {
  name: string;
  version: string;
}

/** Knobs shared by every writer; pass them for byte-stable output (tests, caches). */
export interface SbomCommonOptions {
  /** ISO-8601 creation time. Default: now. */
  timestamp?: string;
  /** UUID for the CycloneDX serial number / SPDX namespace. Default: random. */
  uuid?: string;
  /** Tool credited as creator. Default: lookout 0.1.0. */
  tool?: SbomTool;
}

/** CycloneDX 1.6 rating source / vulnerability source. */
export interface CdxSource {
  name?: string;
  url?: string;
}

export type CdxSeverity = "critical" | "high" | "medium" | "low" | "info" | "none" | "unknown";
export type CdxRatingMethod = "CVSSv2" | "CVSSv3" | "CVSSv31" | "CVSSv4" | "OWASP" | "SSVC" | "other";

/**
 * A finding in CycloneDX 1.6 shape (the subset Lookout fills). `affects[].ref` must be the
 * bom-ref of a component of the same document: get it with `componentRef(pkg)`.
 */
export interface CdxVulnerability {
  "bom-ref"?: string;
  /** CVE-…, GHSA-…, DSA-…: the primary id. */
  id: string;
  source?: CdxSource;
  /** Aliases: other ids for the same vulnerability, each with where it comes from. */
  references?: { id: string; source: CdxSource }[];
  ratings?: { source?: CdxSource; score?: number; severity?: CdxSeverity; method?: CdxRatingMethod; vector?: string }[];
  cwes?: number[];
  description?: string;
  detail?: string;
  /** Free text, e.g. "Upgrade openssl to 3.0.13-1~deb12u1". */
  recommendation?: string;
  advisories?: { title?: string; url: string }[];
  published?: string;
  updated?: string;
  affects: { ref: string; versions?: { version: string; status: "affected" | "unaffected" | "unknown" }[] }[];
  properties?: { name: string; value: string }[];
}

export interface CycloneDxOptions extends SbomCommonOptions {
  vulnerabilities?: CdxVulnerability[];
}
