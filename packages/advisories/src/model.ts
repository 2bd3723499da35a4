/**
 * Normalised advisory model: what the matcher needs from an OSV record, nothing more.
 * Produced by `parseOsv`; pure data (JSON-serialisable) so it can be stored and cached as is.
 */

export const RANGE_TYPES = ["ECOSYSTEM", "SEMVER", "GIT"] as const;
export type RangeType = (typeof RANGE_TYPES)[number];

export const EVENT_KINDS = ["introduced", "fixed", "last_affected", "limit"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** One OSV event: `{"fixed": "1.2.3"}` becomes `{ kind: "fixed", version: "1.2.3" }`. */
export interface RangeEvent {
  kind: EventKind;
  version: string;
}

export interface AffectedRange {
  type: RangeType;
  /** GIT ranges only. */
  repo?: string;
  events: RangeEvent[];
}

/** A `severity[]` entry: type CVSS_V2 / CVSS_V3 / CVSS_V4 / Ubuntu / ..., score a vector or a word. */
export interface SeverityEntry {
  type: string;
  score: string;
}

export interface AffectedPackage {
  /** Base OSV ecosystem name before the first ":" ("Debian" of "Debian:12"). */
  ecosystem: string;
  /** Everything after the first ":": "12", "v3.19", "22.04:LTS", "Pro:14.04:LTS", "rhel_aus:8.6::appstream". */
  ecosystemRelease?: string;
  name: string;
  purl?: string;
  /** Ranges we can evaluate or deliberately ignore (GIT); malformed/unknown ones were dropped at parse time. */
  ranges: AffectedRange[];
  /** Explicitly listed affected versions. */
  versions: string[];
  /** Per-package severity (schema >= 1.7 `affected[].severity`). */
  severity: SeverityEntry[];
  /** `severity` word from this entry's ecosystem_specific / database_specific (Bitnami, Chainguard). */
  severityWord?: string;
  /**
   * Distro triage word from ecosystem_specific / database_specific `urgency` (Debian: "unimportant",
   * "end-of-life", "not yet assigned", "low**", ...), kept verbatim.
   */
  urgency?: string;
  /** Triage status word from ecosystem_specific / database_specific `status` (e.g. "will_not_fix"), verbatim. */
  status?: string;
}

export interface Reference {
  type: string;
  url: string;
}

export interface Advisory {
  id: string;
  modified: string;
  published?: string;
  /** Set when the record is withdrawn: it must never match. */
  withdrawn?: string;
  aliases: string[];
  related: string[];
  /** OSV 1.7 `upstream`: ids this record was derived from (CVE-…, DEBIAN-CVE-…, UBUNTU-CVE-…). */
  upstream: string[];
  summary?: string;
  /** Truncated to MAX_DETAILS_CHARS. */
  details?: string;
  severity: SeverityEntry[];
  /** Top-level `database_specific.severity` word (GHSA "MODERATE", Bitnami "High"), verbatim. */
  severityWord?: string;
  references: Reference[];
  affected: AffectedPackage[];
}

/** Something in a record we dropped while keeping the rest (unknown range type, malformed event, ...). */
export interface ParseWarning {
  advisoryId: string;
  field: string;
  reason: string;
}
