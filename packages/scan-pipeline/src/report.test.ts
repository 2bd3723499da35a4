import { describe, expect, it } from "vitest";
import type { Finding } from "@lookout/matching";
import { toSarif, toTable } from "./formats.js";
import { cdxVulnerabilities, topFindings } from "./report.js";

// SYNTHETIC findings: ordering and formatting only.
const f = (advisoryId: string, level: Finding["severity"]["level"], score?: number, extra: Partial<Finding> = {}): Finding => ({
  advisoryId, aliases: [], sources: [advisoryId], packageName: "pkg", packagePurl: "pkg:npm/pkg@1.0.0", installedVersion: "1.0.0",
  fixedVersions: ["1.0.1", "2.0.1"], state: "fixed", severity: { level, source: score === undefined ? "none" : "cvss_v3", ...(score !== undefined ? { score } : {}) },
  path: "/app/package.json", ecosystem: "npm", ...extra,
});

describe("report", () => {
  it("topFindings: most severe first (level, then score), at most 20, lowest fix and osv.dev url", () => {
    const list = [f("CVE-1", "low"), f("CVE-2", "critical", 9.1), f("CVE-3", "critical", 9.8), f("CVE-4", "high"), ...Array.from({ length: 30 }, (_, i) => f(`CVE-1${i}`, "medium"))];
    const top = topFindings(list);
    expect(top).toHaveLength(20);
    expect(top.slice(0, 3).map((t) => t.advisoryId)).toEqual(["CVE-3", "CVE-2", "CVE-4"]);
    expect(top[0]).toMatchObject({ fixedVersion: "1.0.1", url: "https://osv.dev/vulnerability/CVE-3" });
  });

  it("table: control characters from package metadata never reach the terminal", () => {
    const out = toTable([f("CVE-1", "high", undefined, { packageName: "evil\u001b[31mred" })]);
    expect(out).not.toContain("\u001b");
    expect(out).toContain("evil?[31mred");
    expect(out.trim().split("\n").at(-1)).toBe("1 finding (high: 1)");
  });

  it("sarif: error for critical/high, warning for medium, note below; one rule per id", () => {
    const s = toSarif([f("CVE-1", "critical", 9.8), f("CVE-2", "medium"), f("CVE-2", "medium", undefined, { path: "/other" }), f("CVE-3", "low")], { name: "img" }) as {
      runs: { tool: { driver: { rules: { id: string; properties: { "security-severity": string } }[] } }; results: { ruleId: string; level: string; ruleIndex: number }[] }[];
    };
    const run = s.runs[0]!;
    expect(run.tool.driver.rules.map((r) => [r.id, r.properties["security-severity"]])).toEqual([["CVE-1", "9.8"], ["CVE-2", "5.5"], ["CVE-3", "2.0"]]);
    expect(run.results.map((r) => [r.ruleId, r.level, r.ruleIndex])).toEqual([["CVE-1", "error", 0], ["CVE-2", "warning", 1], ["CVE-2", "warning", 1], ["CVE-3", "note", 2]]);
  });

  it("cyclonedx vulnerabilities: aliases as references, affects the package's bom-ref, CVSS method from the vector", () => {
    const pkg = { type: "npm", name: "pkg", version: "1.0.0", ecosystem: "npm", purl: "pkg:npm/pkg@1.0.0", path: "/app/package.json" };
    const [v] = cdxVulnerabilities([pkg], [f("CVE-1", "critical", 9.8, { aliases: ["GHSA-aaaa-bbbb-cccc"], severity: { level: "critical", source: "cvss_v3", score: 9.8, raw: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" } })]);
    expect(v).toMatchObject({
      id: "CVE-1",
      references: [{ id: "GHSA-aaaa-bbbb-cccc", source: { name: "GitHub Advisories" } }],
      ratings: [{ severity: "critical", score: 9.8, method: "CVSSv31", vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }],
      recommendation: "Upgrade pkg to 1.0.1 or 2.0.1",
      affects: [{ ref: expect.stringMatching(/^pkg:npm\/pkg@1\.0\.0#/), versions: [{ version: "1.0.0", status: "affected" }] }],
    });
  });
});
