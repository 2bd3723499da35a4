import { describe, expect, it } from "vitest";
import type { Distro } from "@lookout/domain";
import { diffFindings, findingKey } from "./diff.js";
import { match } from "./matcher.js";
import type { Finding } from "./model.js";
import { advisory, lookupOf, pkg } from "./test-fixtures.js";

const UBUNTU_2204: Distro = { id: "ubuntu", versionId: "22.04" };
const libcurl = pkg({ name: "libcurl4", version: "7.81.0-1ubuntu1.13", sourceName: "curl", ecosystem: "Ubuntu", path: "/var/lib/dpkg/status" });
const cveRecord = advisory("UBUNTU-CVE-2023-38545.json");
const usn = advisory("USN-6429-1.json");

describe("diffFindings", () => {
  it("new / still / resolved across two scans of real data", () => {
    const before = match({ distro: UBUNTU_2204, packages: [libcurl] }, lookupOf([cveRecord]));
    const after = match({ distro: UBUNTU_2204, packages: [libcurl] }, lookupOf([cveRecord, usn]));
    const d = diffFindings(before, after);
    expect(d.still.map((f) => f.advisoryId)).toEqual(["CVE-2023-38545"]);
    expect(d.still[0]?.sources).toEqual(["UBUNTU-CVE-2023-38545", "USN-6429-1"]); // current version reported
    expect(d.new.map((f) => f.advisoryId)).toEqual(["CVE-2023-38546"]);
    expect(d.resolved).toEqual([]);

    const upgraded = match({ distro: UBUNTU_2204, packages: [{ ...libcurl, version: "7.81.0-1ubuntu1.14" }] }, lookupOf([cveRecord, usn]));
    const d2 = diffFindings(after, upgraded);
    expect(d2).toEqual({ new: [], still: [], resolved: after });
  });

  it("a changed primary id is still the same finding when the id sets overlap", () => {
    const base = match({ distro: UBUNTU_2204, packages: [libcurl] }, lookupOf([cveRecord]))[0] as Finding;
    const ghsaOnly: Finding = { ...base, advisoryId: "UBUNTU-CVE-2023-38545", aliases: [] };
    const d = diffFindings([ghsaOnly], [base]);
    expect(d.still).toEqual([base]);
    expect(d.new).toEqual([]);
    expect(d.resolved).toEqual([]);
  });

  it("the same vulnerability in two copies of a package (different paths) are two findings", () => {
    const a = match({ distro: UBUNTU_2204, packages: [libcurl] }, lookupOf([cveRecord]))[0] as Finding;
    const b: Finding = { ...a, path: "/other/status" };
    expect(findingKey(a)).not.toBe(findingKey(b));
    const d = diffFindings([a], [a, b]);
    expect(d.still).toEqual([a]);
    expect(d.new).toEqual([b]);
  });
});
