import { score } from "@lookout/advisories";

/**
 * Reading one NVD API 2.0 `/rest/json/cves/2.0?cveId=…` answer. Shape (trimmed):
 * `{totalResults, vulnerabilities: [{cve: {id, lastModified, metrics: {cvssMetricV40: [...],
 * cvssMetricV31: [...], cvssMetricV30: [...], cvssMetricV2: [...]}}}]}`, each metric
 * `{source, type: "Primary"|"Secondary", cvssData: {version, vectorString, baseScore}}`.
 * https://nvd.nist.gov/developers/vulnerabilities
 */

/** A severity entry as advisories store them (OSV `severity[]`), plus where it came from. */
export interface NvdSeverity {
  type: "CVSS_V4" | "CVSS_V3" | "CVSS_V2";
  score: string;
  source: string;
}

export type NvdAnswer =
  | { kind: "scored"; severity: NvdSeverity; lastModified?: Date }
  | { kind: "unscored"; lastModified?: Date } // NVD knows the CVE but has no usable CVSS yet
  | { kind: "not_found" };

export class MalformedNvdResponse extends Error {
  override readonly name = "MalformedNvdResponse";
}

// Newest version first; NVD's own ("Primary") metric of any version before a CNA's ("Secondary").
const METRICS = [
  ["cvssMetricV40", "CVSS_V4"],
  ["cvssMetricV31", "CVSS_V3"],
  ["cvssMetricV30", "CVSS_V3"],
  ["cvssMetricV2", "CVSS_V2"],
] as const;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function pick(metrics: Record<string, unknown>, type: "Primary" | "Secondary"): NvdSeverity | undefined {
  for (const [key, entryType] of METRICS) {
    const list = metrics[key];
    if (!Array.isArray(list)) continue;
    for (const m of list) {
      if (!isObj(m) || m.type !== type || !isObj(m.cvssData)) continue;
      const vector = m.cvssData.vectorString;
      if (typeof vector !== "string") continue;
      try {
        score(vector); // only vectors our calculators score: the severity code recomputes from it
      } catch {
        continue;
      }
      return { type: entryType, score: vector, source: typeof m.source === "string" ? m.source.slice(0, 200) : "nvd" };
    }
  }
  return undefined;
}

/** The answer for `cveId`; throws MalformedNvdResponse when the document is not the API 2.0 shape. */
export function parseNvdCve(doc: unknown, cveId: string): NvdAnswer {
  if (!isObj(doc) || !Array.isArray(doc.vulnerabilities)) throw new MalformedNvdResponse("no vulnerabilities array");
  const item = doc.vulnerabilities.find((v) => isObj(v) && isObj(v.cve) && v.cve.id === cveId) as { cve: Record<string, unknown> } | undefined;
  if (!item) {
    if (doc.vulnerabilities.length > 0) throw new MalformedNvdResponse(`answer does not name ${cveId}`);
    return { kind: "not_found" };
  }
  const cve = item.cve;
  if (cve.metrics !== undefined && !isObj(cve.metrics)) throw new MalformedNvdResponse("metrics is not an object");
  const t = typeof cve.lastModified === "string" ? Date.parse(cve.lastModified.endsWith("Z") ? cve.lastModified : `${cve.lastModified}Z`) : NaN;
  const lastModified = Number.isNaN(t) ? {} : { lastModified: new Date(t) };
  const metrics = (cve.metrics ?? {}) as Record<string, unknown>;
  const severity = pick(metrics, "Primary") ?? pick(metrics, "Secondary");
  return severity ? { kind: "scored", severity, ...lastModified } : { kind: "unscored", ...lastModified };
}
