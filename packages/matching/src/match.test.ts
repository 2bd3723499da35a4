import { parseOsv } from "@lookout/advisories";
import { LookoutError, type Distro } from "@lookout/domain";
import { schemeFor } from "@lookout/versions";
import { describe, expect, it } from "vitest";
import { match } from "./matcher.js";
import { newMatchStats } from "./model.js";
import { advisory, apkPackages, dpkgPackages, lookupOf, pkg } from "./test-fixtures.js";

// Distro facts from fixtures/os-release (see testdata/README.md).
const DEBIAN_12: Distro = { id: "debian", versionId: "12" };
const UBUNTU_1804: Distro = { id: "ubuntu", versionId: "18.04" };
const UBUNTU_2204: Distro = { id: "ubuntu", versionId: "22.04" };
const ALPINE_318: Distro = { id: "alpine", versionId: "3.18.4" };

describe("Alpine: real apk DB (3.18) against real ALPINE-CVE / CVE records", () => {
  const packages = apkPackages("alpine-3.18-scalibr.installed");
  const lookup = lookupOf([advisory("ALPINE-CVE-2025-26519.json"), advisory("CVE-2018-5407.json")]);

  it("musl and musl-utils (origin musl) are affected by the v3.18 entry; openssl CVE-2018-5407 has no v3.18 entry", () => {
    const stats = newMatchStats();
    const findings = match({ distro: ALPINE_318, packages }, lookup, { stats });
    expect(findings.map((f) => [f.packageName, f.installedVersion, f.advisoryId, f.fixedVersions, f.state])).toEqual([
      ["musl", "1.2.4-r0", "CVE-2025-26519", ["1.2.4-r3"], "fixed"],
      ["musl-utils", "1.2.4-r0", "CVE-2025-26519", ["1.2.4-r3"], "fixed"],
    ]);
    expect(findings[1]).toMatchObject({ matchedName: "musl", aliases: ["ALPINE-CVE-2025-26519"], sources: ["ALPINE-CVE-2025-26519"] });
    expect(findings[0]?.severity).toMatchObject({ source: "cvss_v3", level: "high", score: 7 });
    expect(lookup.calls).toContainEqual(["Alpine", "openssl"]); // libssl3/libcrypto3 looked up by origin
    expect(stats).toMatchObject({ packages: 15, findings: 2 });
  });

  it("an image with no detectable distro matches no distro advisory", () => {
    const stats = newMatchStats();
    expect(match({ packages }, lookup, { stats })).toEqual([]);
    expect(stats.noDistro).toBe(15);
  });

  it("apk packages inside a Debian image are not looked up as Debian packages", () => {
    const stats = newMatchStats();
    expect(match({ distro: DEBIAN_12, packages }, lookup, { stats })).toEqual([]);
    expect(stats.noDistro).toBe(15);
    expect(lookup.calls.some(([eco]) => eco === "Debian")).toBe(false);
  });

  it("a different Alpine release does not match (3.18 packages on a 3.19 image get the v3.19 fix)", () => {
    const findings = match({ distro: { id: "alpine", versionId: "3.19.1" }, packages }, lookup);
    expect(findings.map((f) => f.fixedVersions)).toEqual([["1.2.4_git20230717-r5"], ["1.2.4_git20230717-r5"]]);
  });
});

describe("Alpine 3.4 (trivy DB): old openssl via origin", () => {
  it("libcrypto1.0/libssl1.0 1.0.2h-r1 (origin openssl) are affected by CVE-2018-5407 Alpine:v3.4, fixed 1.0.2q-r0", () => {
    const packages = apkPackages("alpine-3.4-trivy.installed");
    const findings = match({ distro: { id: "alpine", versionId: "3.4.6" }, packages }, lookupOf([advisory("CVE-2018-5407.json")]));
    expect(findings.map((f) => [f.packageName, f.advisoryId, f.fixedVersions])).toEqual([
      ["libcrypto1.0", "CVE-2018-5407", ["1.0.2q-r0"]],
      ["libssl1.0", "CVE-2018-5407", ["1.0.2q-r0"]],
    ]);
  });
});

describe("Ubuntu: real dpkg DB (18.04) and real UBUNTU-CVE records", () => {
  const packages = dpkgPackages("ubuntu-18.04-texlive.status", "Ubuntu");
  const glibcRecord = advisory("UBUNTU-CVE-2016-20013.json");

  it("libc-bin (Source: glibc) is only covered by an Ubuntu:Pro:18.04:LTS entry: no match by default", () => {
    expect(match({ distro: UBUNTU_1804, packages }, lookupOf([glibcRecord]))).toEqual([]);
  });

  it("with includeUbuntuPro every glibc binary matches, unfixed, with Ubuntu's 'negligible' priority", () => {
    const findings = match({ distro: UBUNTU_1804, packages }, lookupOf([glibcRecord]), { includeUbuntuPro: true });
    const names = findings.map((f) => f.packageName);
    expect(names).toContain("libc-bin");
    expect(names).toContain("libc6");
    const libcBin = findings.find((f) => f.packageName === "libc-bin");
    expect(libcBin).toMatchObject({
      advisoryId: "CVE-2016-20013", aliases: ["UBUNTU-CVE-2016-20013"], installedVersion: "2.27-3ubuntu1",
      matchedName: "glibc", fixedVersions: [], state: "not-fixed", severity: { level: "negligible", source: "ubuntu" },
    });
    expect(findings.every((f) => f.matchedName === "glibc")).toBe(true);
  });

  it("never matches a record for another release (apache2 is only fixed per release; no 18.04 apache2 here)", () => {
    const findings = match({ distro: UBUNTU_1804, packages }, lookupOf([advisory("UBUNTU-CVE-2006-20001.json"), advisory("UBUNTU-CVE-2023-38545.json")]));
    expect(findings).toEqual([]);
  });
});

describe("alias merging: UBUNTU-CVE + USN for curl on 22.04", () => {
  // libcurl4 is built from source curl (Ubuntu archive); version one below the USN fix
  const libcurl = pkg({ name: "libcurl4", version: "7.81.0-1ubuntu1.13", sourceName: "curl", ecosystem: "Ubuntu", path: "/var/lib/dpkg/status" });
  const lookup = lookupOf([advisory("UBUNTU-CVE-2023-38545.json"), advisory("USN-6429-1.json")]);

  it("one finding per CVE; the USN is a source of both; max severity; fixes merged", () => {
    const findings = match({ distro: UBUNTU_2204, packages: [libcurl] }, lookup);
    expect(findings.map((f) => ({ id: f.advisoryId, aliases: f.aliases, sources: f.sources, fixed: f.fixedVersions, state: f.state, level: f.severity.level }))).toEqual([
      { id: "CVE-2023-38545", aliases: ["UBUNTU-CVE-2023-38545", "USN-6429-1"], sources: ["UBUNTU-CVE-2023-38545", "USN-6429-1"], fixed: ["7.81.0-1ubuntu1.14"], state: "fixed", level: "high" },
      { id: "CVE-2023-38546", aliases: ["USN-6429-1"], sources: ["USN-6429-1"], fixed: ["7.81.0-1ubuntu1.14"], state: "fixed", level: "unknown" },
    ]);
  });

  it("the fixed version itself is not affected", () => {
    expect(match({ distro: UBUNTU_2204, packages: [{ ...libcurl, version: "7.81.0-1ubuntu1.14" }] }, lookup)).toEqual([]);
  });

  it("the 20.04 fix does not apply on 22.04 and vice versa", () => {
    const on2004 = match({ distro: { id: "ubuntu", versionId: "20.04" }, packages: [{ ...libcurl, version: "7.68.0-1ubuntu2.19" }] }, lookup);
    expect(on2004.map((f) => [f.advisoryId, f.fixedVersions])).toEqual([["CVE-2023-38545", ["7.68.0-1ubuntu2.20"]], ["CVE-2023-38546", ["7.68.0-1ubuntu2.20"]]]);
    expect(on2004[0]?.sources).toEqual(["USN-6429-1"]); // UBUNTU-CVE-2023-38545 has no 20.04 entry
  });
});

describe("SYNTHETIC alias group: DLA + DEBIAN-CVE + GHSA for one CVE (built from the real DLA-3008-1)", () => {
  const dla = advisory("DLA-3008-1.json");
  const aff = dla.affected[0]!;
  const debianCve = parseOsv({ id: "DEBIAN-CVE-2022-1292", modified: "2024-01-01T00:00:00Z", affected: [{ package: { ecosystem: "Debian:9", name: "openssl" }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "1.1.0l-1~deb9u6" }] }], ecosystem_specific: { urgency: "medium" } }] });
  const ghsa = parseOsv({ id: "GHSA-0000-0000-0000", modified: "2024-01-01T00:00:00Z", aliases: ["CVE-2022-1292"], severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }], affected: [{ package: { ecosystem: "Debian:9", name: "openssl" }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "1.1.0l-1~deb9u7" }] }] }] });
  const libssl = pkg({ name: "libssl1.1", version: "1.1.0l-1~deb9u5", sourceName: "openssl", ecosystem: "Debian" });

  it("merges into one CVE finding: aliases kept, union of fixes, max severity", () => {
    expect(aff.ecosystemRelease).toBe("9");
    const findings = match({ distro: { id: "debian", versionId: "9" }, packages: [libssl] }, lookupOf([dla, debianCve, ghsa]));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      advisoryId: "CVE-2022-1292",
      aliases: ["DEBIAN-CVE-2022-1292", "DLA-3008-1", "GHSA-0000-0000-0000"],
      fixedVersions: ["1.1.0l-1~deb9u6", "1.1.0l-1~deb9u7"],
      severity: { level: "critical", source: "cvss_v3", score: 9.8 }, // max over the merged records (DEBIAN-CVE alone says medium)
    });
  });

  it("Debian:9 records never match a Debian 12 image", () => {
    expect(match({ distro: DEBIAN_12, packages: [libssl] }, lookupOf([dla, debianCve, ghsa]))).toEqual([]);
  });
});

describe("SYNTHETIC Debian states and binNMU (real util-linux facts from the Debian 12 status)", () => {
  const packages = dpkgPackages("debian-12-scalibr.status", "Debian");
  const utilLinux = packages.find((p) => p.name === "util-linux-extra")!;

  it("reads Source: util-linux (2.38.1-5) for the binNMU 2.38.1-5+b1", () => {
    expect(utilLinux).toMatchObject({ version: "2.38.1-5+b1", sourceName: "util-linux", sourceVersion: "2.38.1-5" });
  });

  const rec = (id: string, events: object[], extra: object = {}) =>
    parseOsv({ id, modified: "2024-01-01T00:00:00Z", affected: [{ package: { ecosystem: "Debian:12", name: "util-linux" }, ranges: [{ type: "ECOSYSTEM", events }], ...extra }] });

  it("evaluates the source version, not the binNMU binary version", () => {
    // last_affected 2.38.1-5: the source version is affected; the binary 2.38.1-5+b1 alone would not be
    const findings = match({ distro: DEBIAN_12, packages: [utilLinux] }, lookupOf([rec("DEBIAN-CVE-2000-0001", [{ introduced: "0" }, { last_affected: "2.38.1-5" }])]));
    expect(findings.map((f) => [f.packageName, f.installedVersion, f.matchedVersion, f.state])).toEqual([["util-linux-extra", "2.38.1-5+b1", "2.38.1-5", "not-fixed"]]);
  });

  it.each([
    ["unimportant", "unimportant"],
    ["end-of-life", "end-of-life"],
    ["low", "fixed"],
  ])("ecosystem_specific urgency %s → state %s", (urgency, state) => {
    const r = rec("DEBIAN-CVE-2000-0002", [{ introduced: "0" }, { fixed: "2.38.1-6" }], { ecosystem_specific: { urgency } });
    const [f] = match({ distro: DEBIAN_12, packages: [utilLinux] }, lookupOf([r]));
    expect(f?.state).toBe(state);
    expect(f?.fixedVersions).toEqual(["2.38.1-6"]);
  });

  it("no fixed event → not-fixed", () => {
    const [f] = match({ distro: DEBIAN_12, packages: [utilLinux] }, lookupOf([rec("DEBIAN-CVE-2000-0003", [{ introduced: "0" }])]));
    expect(f?.state).toBe("not-fixed");
  });
});

describe("rpm: epoch:version-release (real ALSA-2023:6661, gmp fixed 1:6.2.0-13.el9)", () => {
  const lookup = lookupOf([advisory("ALSA-2023_6661.json")]);
  const alma9: Distro = { id: "almalinux", versionId: "9.2" };
  it.each([
    [{ version: "6.2.0", release: "12.el9", epoch: 1 }, true],
    [{ version: "6.2.0", release: "13.el9", epoch: 1 }, false],
    [{ version: "6.2.0-12.el9", epoch: 1 }, true],
    [{ version: "6.2.0", release: "20.el9" }, true], // no epoch = 0 < 1
  ])("%o affected=%s", (facts, affected) => {
    const p = pkg({ name: "gmp", ecosystem: "AlmaLinux", ...facts });
    expect(match({ distro: alma9, packages: [p] }, lookup).length > 0).toBe(affected);
  });
  it("AlmaLinux 8 image: no match", () => {
    expect(match({ distro: { id: "almalinux", versionId: "8.9" }, packages: [pkg({ name: "gmp", ecosystem: "AlmaLinux", version: "1:6.2.0-12.el9" })] }, lookup)).toEqual([]);
  });
});

describe("Red Hat extended-support streams (real RHSA-2024:4546: git-lfs on rhel_aus/e4s/tus 8.6)", () => {
  const lookup = lookupOf([advisory("RHSA-2024_4546.json")]);
  const gitLfs = pkg({ name: "git-lfs", ecosystem: "Red Hat", version: "2.13.3", release: "3.el8_6" });
  const rhel86: Distro = { id: "rhel", versionId: "8.6" };
  it("skipped by default: those fixes reach only stream subscribers", () => {
    expect(match({ distro: rhel86, packages: [gitLfs] }, lookup)).toEqual([]);
  });
  it("matched on the same minor release when the operator subscribes to the stream", () => {
    const [f] = match({ distro: rhel86, packages: [gitLfs] }, lookup, { redHatStreams: ["aus"] });
    expect(f).toMatchObject({ advisoryId: "CVE-2023-45288", sources: ["RHSA-2024:4546"], fixedVersions: ["0:2.13.3-3.el8_6.1"], state: "fixed" });
  });
  it("never on another minor release", () => {
    expect(match({ distro: { id: "rhel", versionId: "8.8" }, packages: [gitLfs] }, lookup, { redHatStreams: ["aus", "eus", "e4s", "tus"] })).toEqual([]);
  });
});

describe("SYNTHETIC SUSE / openSUSE / Amazon Linux release scoping (OSV release names as SUSE publishes them)", () => {
  const rec = (id: string, releases: string[]) =>
    parseOsv({ id, modified: "2024-01-01T00:00:00Z", affected: releases.map((r) => ({ package: { ecosystem: r, name: "openssl-3" }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "3.1.4-150600.5.15.1" }] }] })) });
  const ssl = (ecosystem: string) => pkg({ name: "openssl-3", ecosystem, version: "3.1.4", release: "150600.5.10.1" });
  const ids = (distro: Distro, ecosystem: string, records: ReturnType<typeof rec>[], opts = {}) => match({ distro, packages: [ssl(ecosystem)] }, lookupOf(records), opts).map((f) => f.advisoryId);
  const sles = [rec("SUSE-SU-2024:0001-1", ["SUSE:Linux Enterprise Module for Basesystem 15 SP6", "SUSE:Linux Enterprise Server 15 SP6"]), rec("SUSE-SU-2024:0002-1", ["SUSE:Linux Enterprise Server 15 SP5"]), rec("SUSE-SU-2024:0003-1", ["SUSE:Linux Enterprise Server LTSS 15 SP6"])];
  it("SLES 15.6 takes its own service pack's products only; LTSS on request", () => {
    expect(ids({ id: "sles", versionId: "15.6" }, "SUSE", sles)).toEqual(["SUSE-SU-2024:0001-1"]);
    expect(ids({ id: "sles", versionId: "15.6" }, "SUSE", sles, { includeSuseLtss: true })).toEqual(["SUSE-SU-2024:0001-1", "SUSE-SU-2024:0003-1"]);
    expect(ids({ id: "sles", versionId: "15.5" }, "SUSE", sles)).toEqual(["SUSE-SU-2024:0002-1"]);
  });
  it("openSUSE Leap and Tumbleweed match their own releases, never SLES records", () => {
    const leap = [rec("openSUSE-SU-2024:0004-1", ["openSUSE:Leap 15.6"]), rec("openSUSE-SU-2024:0005-1", ["openSUSE:Tumbleweed"]), ...sles];
    expect(ids({ id: "opensuse-leap", versionId: "15.6" }, "openSUSE", leap)).toEqual(["openSUSE-SU-2024:0004-1"]);
    expect(ids({ id: "opensuse-tumbleweed", versionId: "20240101" }, "openSUSE", leap)).toEqual(["openSUSE-SU-2024:0005-1"]);
  });
  it("Amazon Linux by major release", () => {
    const al = [rec("ALAS2023-2024-001", ["Amazon Linux:2023"]), rec("ALAS2-2024-001", ["Amazon Linux:2"])];
    expect(ids({ id: "amzn", versionId: "2023" }, "Amazon Linux", al)).toEqual(["ALAS2023-2024-001"]);
  });
});

describe("language packages", () => {
  const lookup = lookupOf([advisory("GHSA-whgm-jr23-g3j9.json"), advisory("GO-2023-2102.json"), advisory("GO-2022-0617.withdrawn.json"), advisory("PYSEC-2023-74.json")]);
  it("match their ecosystem regardless of the distro (or without one)", () => {
    const ansi = pkg({ name: "ansi-html", version: "0.0.7", ecosystem: "npm", path: "/app/node_modules/ansi-html/package.json" });
    for (const distro of [DEBIAN_12, ALPINE_318, undefined]) {
      const f = match(distro ? { distro, packages: [ansi] } : { packages: [ansi] }, lookup);
      expect(f.map((x) => [x.advisoryId, x.fixedVersions, x.path])).toEqual([["CVE-2021-23424", ["0.0.8"], "/app/node_modules/ansi-html/package.json"]]);
    }
  });

  it("Go: stdlib and x/net; GHSA alias kept", () => {
    const f = match({ packages: [pkg({ name: "golang.org/x/net", version: "v0.16.0", ecosystem: "Go" }), pkg({ name: "stdlib", version: "1.21.2", ecosystem: "Go" })] }, lookup);
    expect(f.map((x) => [x.packageName, x.advisoryId, x.aliases, x.fixedVersions])).toEqual([
      ["golang.org/x/net", "CVE-2023-39325", ["GHSA-4374-p667-p6c8", "GO-2023-2102"], ["0.17.0"]],
      ["stdlib", "CVE-2023-39325", ["GHSA-4374-p667-p6c8", "GO-2023-2102"], ["1.21.3"]],
    ]);
  });

  it("withdrawn advisories never match", () => {
    const stats = newMatchStats();
    expect(match({ packages: [pkg({ name: "k8s.io/kubernetes", version: "v1.20.0", ecosystem: "Go" })] }, lookup, { stats })).toEqual([]);
    expect(stats.withdrawnSkipped).toBe(1);
  });

  it("unsupported ecosystems and invalid installed versions are counted, not thrown", () => {
    const stats = newMatchStats();
    const skipped: string[] = [];
    const noPypi = (e: string) => {
      if (e === "PyPI") throw new LookoutError("LKT_ERR_ECOSYSTEM_UNSUPPORTED", "no PyPI scheme");
      return schemeFor(e);
    };
    const f = match({ packages: [
      pkg({ name: "requests", version: "2.30.0", ecosystem: "PyPI" }),
      pkg({ name: "ansi-html", version: "not-a-version", ecosystem: "npm" }),
      pkg({ name: "ansi-html", version: "0.0.1", ecosystem: "npm" }),
    ] }, lookup, { stats, schemeFor: noPypi, onSkip: (r) => skipped.push(r) });
    expect(f.map((x) => [x.packageName, x.installedVersion])).toEqual([["ansi-html", "0.0.1"]]);
    expect(stats).toMatchObject({ unsupportedEcosystem: 1, invalidInstalledVersion: 1, gitRangesIgnored: 1 });
    expect(skipped).toHaveLength(2);
  });
});

describe("names and registries", () => {
  it("PyPI names compare PEP 503-normalised (Products.PluggableAuthService)", () => {
    const f = match({ packages: [pkg({ name: "Products.PluggableAuthService", version: "2.6.0", ecosystem: "PyPI" })] }, lookupOf([advisory("pypi_normalize.osv.json")]));
    expect(f.map((x) => [x.packageName, x.advisoryId, x.fixedVersions])).toEqual([["Products.PluggableAuthService", "CVE-2021-21337", ["2.6.1"]]]);
  });

  it("a Packagist record scoped to the Drupal registry only matches packages from that registry", () => {
    const lookup = lookupOf([advisory("DRUPAL-CONTRIB-2025-083.json")]);
    const p = pkg({ name: "drupal/simple_sitemap", version: "4.2.1", ecosystem: "Packagist" });
    expect(match({ packages: [p] }, lookup)).toEqual([]);
    const drupal = match({ packages: [{ ...p, ecosystem: "Packagist:https://packages.drupal.org/8" }] }, lookup);
    expect(drupal.map((x) => [x.advisoryId, x.fixedVersions])).toEqual([["CVE-2025-6676", ["4.2.2"]]]);
  });
});

describe("SYNTHETIC triage status word", () => {
  it("ecosystem_specific status will_not_fix → will-not-fix, reported distinctly", () => {
    const r = parseOsv({ id: "DEBIAN-CVE-2000-0004", modified: "2024-01-01T00:00:00Z", affected: [{ package: { ecosystem: "Debian:12", name: "acl" }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }] }], ecosystem_specific: { status: "will_not_fix" } }] });
    const [f] = match({ distro: DEBIAN_12, packages: [pkg({ name: "libacl1", version: "2.3.1-3", sourceName: "acl", ecosystem: "Debian" })] }, lookupOf([r]));
    expect(f).toMatchObject({ advisoryId: "CVE-2000-0004", state: "will-not-fix", fixedVersions: [] });
  });
});

describe("SYNTHETIC several records for one package: separate vulnerabilities vs one aliased", () => {
  const rec = (id: string, aliases: string[], fixed: string) => parseOsv({ id, modified: "2024-01-01T00:00:00Z", aliases, summary: `summary of ${id}`, affected: [{ package: { ecosystem: "Debian:12", name: "acl" }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed }] }] }] });
  const libacl = pkg({ name: "libacl1", version: "2.3.1-3", sourceName: "acl", ecosystem: "Debian", layerDigest: "sha256:aa" });
  const b = rec("DSA-2-1", ["CVE-2024-2000"], "2.3.1-5");
  const a = rec("DSA-1-1", ["CVE-2024-1000"], "2.3.1-4");

  it("records sharing no id: one finding each, sorted by primary id, each exactly as when matched alone", () => {
    const both = match({ distro: DEBIAN_12, packages: [libacl] }, lookupOf([b, a]));
    expect(both.map((f) => f.advisoryId)).toEqual(["CVE-2024-1000", "CVE-2024-2000"]);
    expect(both[0]).toEqual(match({ distro: DEBIAN_12, packages: [libacl] }, lookupOf([a]))[0]);
    expect(both[1]).toEqual(match({ distro: DEBIAN_12, packages: [libacl] }, lookupOf([b]))[0]);
    expect(both[0]).toEqual({
      advisoryId: "CVE-2024-1000", aliases: ["DSA-1-1"], sources: ["DSA-1-1"], packageName: "libacl1", packagePurl: libacl.purl,
      installedVersion: "2.3.1-3", matchedName: "acl", fixedVersions: ["2.3.1-4"], state: "fixed", severity: { level: "unknown", source: "none" },
      path: "/test", ecosystem: "Debian", layerDigest: "sha256:aa", summary: "summary of DSA-1-1",
    });
  });

  it("a third record aliasing one of them merges with it only", () => {
    const c = rec("DEBIAN-CVE-2024-2000", [], "2.3.1-6");
    const fs = match({ distro: DEBIAN_12, packages: [libacl] }, lookupOf([a, b, c]));
    expect(fs.map((f) => [f.advisoryId, f.sources, f.fixedVersions])).toEqual([
      ["CVE-2024-1000", ["DSA-1-1"], ["2.3.1-4"]],
      ["CVE-2024-2000", ["DEBIAN-CVE-2024-2000", "DSA-2-1"], ["2.3.1-5", "2.3.1-6"]],
    ]);
  });
});

describe("withdrawn distro record (UBUNTU-CVE-2008-7320, seahorse)", () => {
  it("does not match", () => {
    const p = pkg({ name: "seahorse", version: "41.0-2", ecosystem: "Ubuntu" });
    expect(match({ distro: UBUNTU_2204, packages: [p] }, lookupOf([advisory("UBUNTU-CVE-2008-7320.json")]))).toEqual([]);
  });
});

describe("work per package", () => {
  // Speed is measured by the match benchmark; here the amount of work is pinned instead: each
  // package is compared only against the entries of its own release naming its (source) name.
  it("2,000 packages: version comparisons bounded by the entries that name them", () => {
    const lookup = lookupOf([advisory("UBUNTU-CVE-2023-38545.json"), advisory("USN-6429-1.json"), advisory("UBUNTU-CVE-2016-20013.json")]);
    const packages = Array.from({ length: 2_000 }, (_, i) =>
      pkg({ name: `bin-${i}`, version: `7.81.0-1ubuntu1.${i % 20}`, sourceName: i % 2 ? "curl" : "glibc", ecosystem: "Ubuntu" }));
    let compares = 0;
    let valids = 0;
    const counting = (eco: string) => {
      const s = schemeFor(eco);
      return { compare: (a: string, b: string) => (compares++, s.compare(a, b)), valid: (v: string) => (valids++, s.valid(v)) };
    };
    const findings = match({ distro: UBUNTU_2204, packages }, lookup, { includeUbuntuPro: true, schemeFor: counting });
    expect(findings.length).toBe(2_400);
    // 11,800 compares and 14,000 validity checks measured; every entry of every record for every
    // package (34 entries) would be several times that.
    expect(compares).toBeLessThanOrEqual(8 * packages.length);
    expect(valids).toBeLessThanOrEqual(8 * packages.length);
  });
});
