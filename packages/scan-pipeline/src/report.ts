import { SEVERITY_RANK, type Package, type Severity } from "@lookout/domain";
import type { Finding } from "@lookout/matching";
import { componentRef, type CdxRatingMethod, type CdxSeverity, type CdxVulnerability } from "@lookout/sbom";

/** Public page of an advisory id (osv.dev serves CVE, GHSA, DSA/DLA, USN, GO, PYSEC… ids). */
export function advisoryUrl(id: string): string {
  return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
}

/** Most severe first: level, then CVSS score, then id and package (stable for output and tests). */
export function bySeverity(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK[b.severity.level] - SEVERITY_RANK[a.severity.level] ||
    (b.severity.score ?? -1) - (a.severity.score ?? -1) ||
    a.advisoryId.localeCompare(b.advisoryId) ||
    a.packageName.localeCompare(b.packageName)
  );
}

export function severityCounts(findings: readonly Finding[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of findings) out[f.severity.level] = (out[f.severity.level] ?? 0) + 1;
  return out;
}

export interface TopFinding {
  advisoryId: string;
  packageName: string;
  installedVersion: string;
  /** Lowest fixed version relevant to the installed one. */
  fixedVersion?: string;
  severity: Severity;
  url: string;
}

export function topFindings(findings: readonly Finding[], max = 20): TopFinding[] {
  return [...findings].sort(bySeverity).slice(0, max).map((f) => {
    const t: TopFinding = { advisoryId: f.advisoryId, packageName: f.packageName, installedVersion: f.installedVersion, severity: f.severity.level, url: advisoryUrl(f.advisoryId) };
    if (f.fixedVersions[0] !== undefined) t.fixedVersion = f.fixedVersions[0];
    return t;
  });
}

/** Identity of the package a finding was made on (what `match` copies from it). */
export const findingPackageOf = (p: { ecosystem: string; name: string; version: string; path: string }) =>
  [p.ecosystem, p.name, p.version, p.path].join("\u0000");

const CDX_SEVERITY: Record<Severity, CdxSeverity> = { critical: "critical", high: "high", medium: "medium", low: "low", negligible: "info", unknown: "unknown" };

function ratingMethod(source: string, raw: string | undefined): CdxRatingMethod {
  if (source === "cvss_v2") return "CVSSv2";
  if (source === "cvss_v4") return "CVSSv4";
  if (source === "cvss_v3") return raw?.startsWith("CVSS:3.0/") ? "CVSSv3" : "CVSSv31";
  return "other";
}

function idSource(id: string): { name: string; url: string } {
  if (id.startsWith("CVE-")) return { name: "NVD", url: `https://nvd.nist.gov/vuln/detail/${id}` };
  if (id.startsWith("GHSA-")) return { name: "GitHub Advisories", url: `https://github.com/advisories/${id}` };
  return { name: "OSV", url: advisoryUrl(id) };
}

/**
 * CycloneDX 1.6 `vulnerabilities[]` for findings: one entry per advisory id, affecting the
 * components (bom-refs from `componentRef`) of every package it was found in; aliases as
 * references, the normalised severity as a rating, fixed versions as the recommendation.
 */
export function cdxVulnerabilities(packages: readonly Package[], findings: readonly Finding[]): CdxVulnerability[] {
  const refs = new Map<string, string[]>();
  for (const p of packages) {
    const k = findingPackageOf(p);
    const list = refs.get(k) ?? [];
    const r = componentRef(p);
    if (!list.includes(r)) list.push(r);
    refs.set(k, list);
  }
  const byId = new Map<string, Finding[]>();
  for (const f of [...findings].sort(bySeverity)) byId.set(f.advisoryId, [...(byId.get(f.advisoryId) ?? []), f]);
  const out: CdxVulnerability[] = [];
  for (const [id, group] of byId) {
    const lead = group[0]!;
    const affects = group.flatMap((f) => (refs.get(findingPackageOf({ ecosystem: f.ecosystem, name: f.packageName, version: f.installedVersion, path: f.path })) ?? [])
      .map((ref) => ({ ref, versions: [{ version: f.installedVersion, status: "affected" as const }] })));
    if (affects.length === 0) continue; // a finding on a package not in this document: nothing to point at
    const v: CdxVulnerability = {
      "bom-ref": `vuln:${id}`,
      id,
      source: idSource(id),
      ratings: [{
        severity: CDX_SEVERITY[lead.severity.level],
        method: ratingMethod(lead.severity.source, lead.severity.raw),
        ...(lead.severity.score !== undefined ? { score: lead.severity.score } : {}),
        ...(lead.severity.raw?.startsWith("CVSS:") || lead.severity.raw?.startsWith("AV:") ? { vector: lead.severity.raw } : {}),
        source: { name: lead.severity.source },
      }],
      advisories: [{ url: advisoryUrl(id) }],
      affects,
      properties: [{ name: "lookout:state", value: lead.state }],
    };
    const aliases = [...new Set(group.flatMap((f) => f.aliases))].sort();
    if (aliases.length > 0) v.references = aliases.map((a) => ({ id: a, source: idSource(a) }));
    const fixes = group.filter((f) => f.fixedVersions.length > 0).map((f) => `Upgrade ${f.packageName} to ${f.fixedVersions.join(" or ")}`);
    if (fixes.length > 0) v.recommendation = [...new Set(fixes)].join("; ");
    if (lead.summary) v.description = lead.summary;
    out.push(v);
  }
  return out;
}
