import { describe, expect, it } from "vitest";
import { MalformedNvdResponse, parseNvdCve } from "./parse.js";

// SYNTHETIC answers in the NVD API 2.0 shape (https://nvd.nist.gov/developers/vulnerabilities):
// lastModified without a zone as NVD sends it, one metric list per CVSS version, each metric
// naming its source and whether it is NVD's own ("Primary") or a CNA's ("Secondary").
const V31_NVD = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H";
const V31_CNA = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L";
const V40_CNA = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N";
const V2 = "AV:N/AC:L/Au:N/C:N/I:N/A:P";
const metric = (type: string, version: string, vectorString: string, source = type === "Primary" ? "nvd@nist.gov" : "security@golang.org") =>
  ({ source, type, cvssData: { version, vectorString, baseScore: 0 } });
const answer = (id: string, metrics: Record<string, unknown> | undefined) => ({
  resultsPerPage: 1, startIndex: 0, totalResults: 1, format: "NVD_CVE", version: "2.0", timestamp: "2026-11-29T10:00:00.000",
  vulnerabilities: [{ cve: { id, sourceIdentifier: "security@golang.org", published: "2023-02-28T18:15:09.987", lastModified: "2024-11-21T07:23:46.373", vulnStatus: "Modified", ...(metrics ? { metrics } : {}) } }],
});

describe("parseNvdCve", () => {
  it("prefers NVD's own metric of any version over a CNA's newer one", () => {
    const r = parseNvdCve(answer("CVE-2022-41723", {
      cvssMetricV40: [metric("Secondary", "4.0", V40_CNA)],
      cvssMetricV31: [metric("Secondary", "3.1", V31_CNA), metric("Primary", "3.1", V31_NVD)],
      cvssMetricV2: [metric("Primary", "2.0", V2)],
    }), "CVE-2022-41723");
    expect(r).toEqual({ kind: "scored", severity: { type: "CVSS_V3", score: V31_NVD, source: "nvd@nist.gov" }, lastModified: new Date("2024-11-21T07:23:46.373Z") });
  });

  it("takes the newest version within NVD's metrics, and a CNA's when NVD has none", () => {
    expect(parseNvdCve(answer("CVE-1", { cvssMetricV2: [metric("Primary", "2.0", V2)], cvssMetricV30: [metric("Primary", "3.0", V31_NVD.replace("3.1", "3.0"))] }), "CVE-1"))
      .toMatchObject({ severity: { type: "CVSS_V3", score: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H" } });
    expect(parseNvdCve(answer("CVE-1", { cvssMetricV2: [metric("Primary", "2.0", V2)] }), "CVE-1")).toMatchObject({ severity: { type: "CVSS_V2", score: V2 } });
    expect(parseNvdCve(answer("CVE-1", { cvssMetricV40: [metric("Secondary", "4.0", V40_CNA)] }), "CVE-1"))
      .toMatchObject({ severity: { type: "CVSS_V4", score: V40_CNA, source: "security@golang.org" } });
  });

  it("skips vectors the calculators cannot score and falls back to the next metric", () => {
    const r = parseNvdCve(answer("CVE-1", { cvssMetricV31: [metric("Primary", "3.1", "CVSS:3.1/AV:X")], cvssMetricV2: [metric("Primary", "2.0", V2)] }), "CVE-1");
    expect(r).toMatchObject({ kind: "scored", severity: { type: "CVSS_V2" } });
  });

  it("tells a known CVE without metrics (awaiting analysis) from an unknown one", () => {
    expect(parseNvdCve(answer("CVE-2026-1", undefined), "CVE-2026-1")).toMatchObject({ kind: "unscored" });
    expect(parseNvdCve(answer("CVE-2026-1", { cvssMetricV31: [] }), "CVE-2026-1")).toMatchObject({ kind: "unscored" });
    expect(parseNvdCve({ resultsPerPage: 0, startIndex: 0, totalResults: 0, vulnerabilities: [] }, "CVE-2099-1")).toEqual({ kind: "not_found" });
  });

  it.each([
    ["not an object", "oops"],
    ["no vulnerabilities array", { totalResults: 1, vulnerabilities: "x" }],
    ["an answer about another CVE", answer("CVE-2000-1", undefined)],
    ["metrics of the wrong type", answer("CVE-1", [] as unknown as Record<string, unknown>)],
  ])("refuses %s as malformed", (_what, doc) => {
    expect(() => parseNvdCve(doc, "CVE-1")).toThrow(MalformedNvdResponse);
  });
});
