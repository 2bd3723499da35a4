import type { Severity } from "@lookout/domain";
import { score as cvssScore, type CvssScore } from "./cvss/index.js";
import type { Advisory, AffectedPackage, SeverityEntry } from "./model.js";

/** Where a normalised severity came from. */
export type SeveritySource =
  | "cvss_v4" | "cvss_v3" | "cvss_v2"
  | "debian" | "ubuntu" | "ghsa" | "bitnami" | "database_specific" | "none";

export interface NormalisedSeverity {
  level: Severity;
  source: SeveritySource;
  /** CVSS score when source is cvss_*. */
  score?: number;
  /** The vector or distro/database word it was derived from, verbatim. */
  raw?: string;
}

const UNKNOWN: NormalisedSeverity = { level: "unknown", source: "none" };

/**
 * Debian urgency → level. Follows trivy-db / vunnel (keep the word; "unimportant" → negligible as
 * vunnel does), not claircore's one-step raise. Starred forms ("low**") mean the same word.
 * "not yet assigned", "end-of-life" and "unknown" are not ratings → undefined.
 */
export function debianUrgencyLevel(word: string): Severity | undefined {
  const w = word.trim().toLowerCase().replace(/\*+$/, "");
  switch (w) {
    case "high": return "high";
    case "medium": return "medium";
    case "low": return "low";
    case "unimportant": return "negligible";
    default: return undefined;
  }
}

/** Ubuntu priority → level; "untriaged" is not a rating → undefined. */
export function ubuntuPriorityLevel(word: string): Severity | undefined {
  const w = word.trim().toLowerCase();
  return w === "critical" || w === "high" || w === "medium" || w === "low" || w === "negligible" ? w : undefined;
}

/** GHSA (CRITICAL/HIGH/MODERATE/LOW) and Bitnami (Critical/High/Medium/Low) database words. */
export function databaseWordLevel(word: string): Severity | undefined {
  const w = word.trim().toLowerCase();
  if (w === "critical" || w === "high" || w === "medium" || w === "low") return w;
  if (w === "moderate") return "medium";
  if (w === "negligible" || w === "none" || w === "minimal") return "negligible";
  return undefined;
}

function cvssLevel(s: CvssScore): Severity {
  return s.severity === "none" ? "negligible" : s.severity;
}

const CVSS_RANK: Record<CvssScore["version"], number> = { "4.0": 4, "3.1": 3, "3.0": 2, "2.0": 1 };
const CVSS_TYPES = new Set(["CVSS_V2", "CVSS_V3", "CVSS_V4"]);

/** Best CVSS entry: newest version wins (v4 > v3.1 > v3.0 > v2); within one version the highest score. */
function bestCvss(entries: SeverityEntry[], onInvalid?: (raw: string) => void): NormalisedSeverity | undefined {
  let best: { s: CvssScore; raw: string } | undefined;
  for (const e of entries) {
    if (!CVSS_TYPES.has(e.type)) continue;
    let s: CvssScore;
    try {
      s = cvssScore(e.score);
    } catch {
      onInvalid?.(e.score);
      continue;
    }
    if (!best || CVSS_RANK[s.version] > CVSS_RANK[best.s.version] ||
        (CVSS_RANK[s.version] === CVSS_RANK[best.s.version] && s.baseScore > best.s.baseScore)) best = { s, raw: e.score };
  }
  if (!best) return undefined;
  const source = best.s.version === "4.0" ? "cvss_v4" : best.s.version === "2.0" ? "cvss_v2" : "cvss_v3";
  return { level: cvssLevel(best.s), source, score: best.s.baseScore, raw: best.raw };
}

function distroRating(adv: Advisory, aff: AffectedPackage | undefined): NormalisedSeverity | undefined {
  const eco = aff?.ecosystem;
  if (eco === "Ubuntu") {
    for (const e of [...(aff?.severity ?? []), ...adv.severity]) {
      if (e.type.toLowerCase() !== "ubuntu") continue;
      const level = ubuntuPriorityLevel(e.score);
      if (level) return { level, source: "ubuntu", raw: e.score };
    }
  }
  if (eco === "Debian" && aff?.urgency) {
    const level = debianUrgencyLevel(aff.urgency);
    if (level) return { level, source: "debian", raw: aff.urgency };
  }
  return undefined;
}

function databaseRating(adv: Advisory, aff: AffectedPackage | undefined): NormalisedSeverity | undefined {
  const word = aff?.severityWord ?? adv.severityWord;
  if (!word) return undefined;
  const level = databaseWordLevel(word);
  if (!level) return undefined;
  const source: SeveritySource = adv.id.startsWith("GHSA-") ? "ghsa" : adv.id.startsWith("BIT-") ? "bitnami" : "database_specific";
  return { level, source, raw: word };
}

/**
 * Normalise an advisory's severity for one affected package: the distro's own rating for distro
 * ecosystems (Ubuntu priority, Debian urgency), else CVSS (v4 > v3.1 > v3.0 > v2; per-package
 * entries before record-level ones), else the database word (GHSA "MODERATE", Bitnami "High"),
 * else unknown. Invalid CVSS vectors are skipped (reported through `onInvalidVector`).
 */
export function normaliseSeverity(
  adv: Advisory,
  aff?: AffectedPackage,
  opts: { onInvalidVector?: (raw: string) => void } = {},
): NormalisedSeverity {
  return (
    distroRating(adv, aff) ??
    bestCvss(aff?.severity ?? [], opts.onInvalidVector) ??
    bestCvss(adv.severity, opts.onInvalidVector) ??
    databaseRating(adv, aff) ??
    UNKNOWN
  );
}
