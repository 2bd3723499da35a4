import { describe, expect, it } from "vitest";
import type { Advisory } from "@lookout/advisories";
import { identityOf, pickPrimary } from "./ids.js";

const rec = (id: string, aliases: string[] = [], upstream: string[] = []): Advisory => ({
  id, modified: "2024-01-01T00:00:00Z", aliases, related: [], upstream, severity: [], references: [], affected: [],
});

describe("pickPrimary", () => {
  it("smallest CVE by year then number, not by string order", () => {
    expect(pickPrimary(["GHSA-aaaa-bbbb-cccc", "CVE-2021-10000", "CVE-2021-9999", "DSA-1-1"])).toBe("CVE-2021-9999");
    expect(pickPrimary(["CVE-2022-1", "CVE-2021-44228"])).toBe("CVE-2021-44228");
  });
  it("the same (year, number) written twice: the smaller string", () => {
    expect(pickPrimary(["CVE-2020-1000", "CVE-2020-01000"])).toBe("CVE-2020-01000");
  });
  it("no CVE: the smallest GHSA, else the smallest id", () => {
    expect(pickPrimary(["PYSEC-2020-1", "GHSA-zzzz-zzzz-zzzz", "GHSA-aaaa-aaaa-aaaa"])).toBe("GHSA-aaaa-aaaa-aaaa");
    expect(pickPrimary(["RUSTSEC-2020-2", "PYSEC-2020-1", "DEBIAN-CVE-2020-x"])).toBe("DEBIAN-CVE-2020-x");
  });
  it("prefixed CVE ids are not CVEs for the primary pick", () => {
    expect(pickPrimary(["UBUNTU-CVE-2020-1", "USN-1-1"])).toBe("UBUNTU-CVE-2020-1");
  });
});

describe("identityOf", () => {
  it("id, aliases and the embedded CVE, each once, in that order", () => {
    expect(identityOf(rec("UBUNTU-CVE-2020-1", ["CVE-2020-1", "UBUNTU-CVE-2020-1"]))).toEqual({ ids: ["UBUNTU-CVE-2020-1", "CVE-2020-1"], multi: [] });
  });
  it("upstream naming one CVE joins it; several CVEs are listed as multi, sorted and unique", () => {
    expect(identityOf(rec("DLA-3008-1", [], ["CVE-2022-1292", "DEBIAN-CVE-2022-1292"]))).toEqual({ ids: ["DLA-3008-1", "CVE-2022-1292", "DEBIAN-CVE-2022-1292"], multi: [] });
    expect(identityOf(rec("USN-1-1", [], ["CVE-2022-2000", "UBUNTU-CVE-2022-2000", "CVE-2022-10000", "CVE-2021-3000"]))).toEqual({ ids: ["USN-1-1"], multi: ["CVE-2021-3000", "CVE-2022-10000", "CVE-2022-2000"] });
  });
});
