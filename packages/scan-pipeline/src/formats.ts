import { SEVERITIES, type Inventory, type Severity } from "@lookout/domain";
import type { Finding } from "@lookout/matching";
import { advisoryUrl, bySeverity } from "./report.js";

export const SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const TOOL = { name: "lookout", version: "0.1.0" };

const SARIF_LEVEL: Record<Severity, "error" | "warning" | "note"> = {
  critical: "error", high: "error", medium: "warning", low: "note", negligible: "note", unknown: "note",
};
/** GitHub code scanning reads `security-severity` (a CVSS-like number) to rank alerts. */
const LEVEL_SCORE: Record<Severity, number> = { critical: 9.5, high: 8, medium: 5.5, low: 2, negligible: 0.5, unknown: 0 };

/** SARIF 2.1.0: one rule per advisory id, one result per (finding, package location). */
export function toSarif(findings: readonly Finding[], image: { name: string }): Record<string, unknown> {
  const sorted = [...findings].sort(bySeverity);
  const rules: Record<string, unknown>[] = [];
  const ruleIndex = new Map<string, number>();
  for (const f of sorted) {
    if (ruleIndex.has(f.advisoryId)) continue;
    ruleIndex.set(f.advisoryId, rules.length);
    const text = f.summary ?? `${f.advisoryId} in ${f.packageName}`;
    rules.push({
      id: f.advisoryId,
      shortDescription: { text },
      fullDescription: { text: f.aliases.length > 0 ? `${text} (also: ${f.aliases.join(", ")})` : text },
      helpUri: advisoryUrl(f.advisoryId),
      help: { text: `See ${advisoryUrl(f.advisoryId)}` },
      properties: {
        "security-severity": (f.severity.score ?? LEVEL_SCORE[f.severity.level]).toFixed(1),
        tags: ["vulnerability", "security", f.severity.level],
      },
    });
  }
  const results = sorted.map((f) => ({
    ruleId: f.advisoryId,
    ruleIndex: ruleIndex.get(f.advisoryId)!,
    level: SARIF_LEVEL[f.severity.level],
    message: {
      text: `${f.packageName} ${f.installedVersion} is affected by ${f.advisoryId} (${f.severity.level})` +
        (f.fixedVersions.length > 0 ? `; fixed in ${f.fixedVersions.join(", ")}` : `; ${f.state}`) + ` — image ${image.name}`,
    },
    locations: [{ physicalLocation: { artifactLocation: { uri: f.path.replace(/^\/+/, "") || image.name } } }],
    partialFingerprints: { "lookout/v1": [f.ecosystem, f.packageName, f.installedVersion, f.path, f.advisoryId].join("|") },
  }));
  return { $schema: SARIF_SCHEMA, version: "2.1.0", runs: [{ tool: { driver: { ...TOOL, rules } }, results }] };
}

/** Lookout's JSON report: the image, its distro, counts and every finding (most severe first). */
export function toJsonReport(findings: readonly Finding[], inventory: Inventory, image: { name: string; digest?: string }): Record<string, unknown> {
  return {
    image,
    ...(inventory.distro ? { distro: inventory.distro } : {}),
    packageCount: inventory.packages.length,
    severityCounts: countBy(findings),
    findings: [...findings].sort(bySeverity).map((f) => ({ ...f, url: advisoryUrl(f.advisoryId) })),
    unknowns: inventory.unknowns,
  };
}

function countBy(findings: readonly Finding[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of findings) out[f.severity.level] = (out[f.severity.level] ?? 0) + 1;
  return out;
}

/** A readable table: package, installed, fixed, advisory id, severity, state; then a count line. */
export function toTable(findings: readonly Finding[]): string {
  const head = ["PACKAGE", "INSTALLED", "FIXED", "ADVISORY", "SEVERITY", "STATE"];
  const rows = [...findings].sort(bySeverity).map((f) => [
    f.packageName, f.installedVersion, f.fixedVersions.join(", ") || "-", f.advisoryId, f.severity.level, f.state,
  ].map(clean));
  const widths = head.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  const counts = countBy(findings);
  const summary = `${findings.length} finding${findings.length === 1 ? "" : "s"}` +
    (findings.length > 0 ? ` (${SEVERITIES.filter((s) => counts[s]).map((s) => `${s}: ${counts[s]}`).join(", ")})` : "");
  return [line(head), ...rows.map(line), "", summary].join("\n") + "\n";
}

/** Control characters from package metadata must not reach a terminal. */
const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
