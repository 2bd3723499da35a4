import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AffectedPackage } from "./model.js";
import { parseOsvJson } from "./osv.js";
import { databaseWordLevel, debianUrgencyLevel, normaliseSeverity, ubuntuPriorityLevel } from "./severity.js";

const TD = join(import.meta.dirname, "../testdata");
const load = (p: string) => parseOsvJson(readFileSync(join(TD, p), "utf8"));

describe("normaliseSeverity on real records", () => {
  it.each([
    // distro priority wins for distro ecosystems, even next to a CVSS 9.8
    ["osv/ubuntu/UBUNTU-CVE-2023-38545.json", { level: "high", source: "ubuntu", raw: "high" }],
    // CVSS 7.5 next to Ubuntu "negligible": the distro word wins
    ["severity/ubuntu/UBUNTU-CVE-2016-20013.json", { level: "negligible", source: "ubuntu", raw: "negligible" }],
    ["severity/ubuntu/UBUNTU-CVE-2013-2208.json", { level: "medium", source: "ubuntu", raw: "medium" }],
    // Ubuntu record without a priority: CVSS v3.0
    ["osv/ubuntu/UBUNTU-CVE-2008-7320.json", { level: "medium", source: "cvss_v3", score: 6.8, raw: "CVSS:3.0/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }],
    // v4 preferred over v3
    ["osv/pypi/PYSEC-2026-1.json", { level: "medium", source: "cvss_v4", score: 6.3, raw: "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:N/VI:N/VA:L/SC:N/SI:N/SA:N" }],
    // GHSA: CVSS before the database word
    ["osv/maven/GHSA-269g-pwp5-87pp.json", { level: "medium", source: "cvss_v3", score: 4.4, raw: "CVSS:3.1/AV:L/AC:H/PR:L/UI:R/S:U/C:H/I:N/A:N" }],
    // GHSA with an empty severity list: the database word
    ["osv/nuget/GHSA-5crp-9r3c-p9vr.json", { level: "low", source: "ghsa", raw: "LOW" }],
    // Bitnami per-package CVSS
    ["osv/bitnami/BIT-apache-2020-11984.json", { level: "critical", source: "cvss_v3", score: 9.8, raw: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }],
    // Debian DLA: no rating at all
    ["osv/debian/DLA-3008-1.json", { level: "unknown", source: "none" }],
  ])("%s", (file, expected) => {
    const adv = load(file);
    expect(normaliseSeverity(adv, adv.affected[0])).toEqual(expected);
  });

  it("two CVSS v3 vectors: the higher score (UBUNTU-CVE-2023-38545 without its priority)", () => {
    const adv = load("osv/ubuntu/UBUNTU-CVE-2023-38545.json");
    const noPriority = { ...adv, severity: adv.severity.filter((s) => s.type !== "Ubuntu") };
    expect(normaliseSeverity(noPriority, noPriority.affected[0])).toMatchObject({ source: "cvss_v3", score: 9.8, level: "critical" });
  });

  it("invalid vectors are skipped and reported", () => {
    const adv = load("osv/nuget/GHSA-5crp-9r3c-p9vr.json");
    const bad: string[] = [];
    const s = normaliseSeverity({ ...adv, severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:X" }] }, undefined, { onInvalidVector: (r) => bad.push(r) });
    expect(s).toEqual({ level: "low", source: "ghsa", raw: "LOW" });
    expect(bad).toEqual(["CVSS:3.1/AV:X"]);
  });
});

describe("Debian urgency", () => {
  const adv = load("osv/debian/DLA-3008-1.json");
  const withUrgency = (urgency: string): AffectedPackage => ({ ...(adv.affected[0] as AffectedPackage), urgency });
  it.each([
    ["unimportant", { level: "negligible", source: "debian", raw: "unimportant" }],
    ["low**", { level: "low", source: "debian", raw: "low**" }],
    ["high*", { level: "high", source: "debian", raw: "high*" }],
    ["medium", { level: "medium", source: "debian", raw: "medium" }],
    ["not yet assigned", { level: "unknown", source: "none" }],
    ["end-of-life", { level: "unknown", source: "none" }],
  ])("%s", (u, expected) => expect(normaliseSeverity(adv, withUrgency(u))).toEqual(expected));

  it("falls through to CVSS when the urgency is not a rating", () => {
    const s = normaliseSeverity({ ...adv, severity: [{ type: "CVSS_V2", score: "AV:N/AC:L/Au:N/C:P/I:P/A:P" }] }, withUrgency("not yet assigned"));
    expect(s).toMatchObject({ level: "high", source: "cvss_v2", score: 7.5 });
  });
});

describe("word tables", () => {
  it("maps the vocabularies of fixtures/severity/README.md", () => {
    expect(["untriaged", "negligible", "low", "medium", "high", "critical"].map(ubuntuPriorityLevel))
      .toEqual([undefined, "negligible", "low", "medium", "high", "critical"]);
    expect(["unknown", "unimportant", "low*", "medium**", "high"].map(debianUrgencyLevel))
      .toEqual([undefined, "negligible", "low", "medium", "high"]);
    expect(["CRITICAL", "HIGH", "MODERATE", "LOW", "Medium", "bogus"].map(databaseWordLevel))
      .toEqual(["critical", "high", "medium", "low", "medium", undefined]);
  });
});
