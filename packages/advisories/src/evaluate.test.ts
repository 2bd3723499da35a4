import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isLookoutError } from "@lookout/domain";
import { evaluate, fixedVersions, isAffected, newEvalStats } from "./evaluate.js";
import type { AffectedPackage } from "./model.js";
import { parseOsvJson } from "./osv.js";

const OSV = join(import.meta.dirname, "../testdata/osv");
const load = (p: string) => parseOsvJson(readFileSync(join(OSV, p), "utf8"));

function pick(file: string, name: string, release?: string): AffectedPackage {
  const a = load(file).affected.find((x) => x.name === name && (release === undefined || x.ecosystemRelease === release));
  if (!a) throw new Error(`${file}: no affected ${name} ${release ?? ""}`);
  return a;
}

// [file, package, release, installed version, affected?, fixed versions reported]
const CASES: [string, string, string | undefined, string, boolean, string[]][] = [
  // Debian LTS openssl, dpkg ordering with ~ (deb9u5 < deb9u6)
  ["debian/DLA-3008-1.json", "openssl", "9", "1.1.0l-1~deb9u5", true, ["1.1.0l-1~deb9u6"]],
  ["debian/DLA-3008-1.json", "openssl", "9", "1.1.0l-1~deb9u6", false, []],
  ["debian/DLA-3008-1.json", "openssl", "9", "1.1.0l-1", false, []],
  ["debian/DLA-3008-1.json", "openssl", "9", "1.1.0f-3", true, ["1.1.0l-1~deb9u6"]],
  ["debian/DLA-3022-1.json", "dpkg", "9", "1.18.25", true, ["1.18.26"]],
  ["debian/DLA-3022-1.json", "dpkg", "9", "1.18.26", false, []],
  ["debian/DSA-3029-1.json", "nginx", "7", "1.2.1-2.2+wheezy2", true, ["1.2.1-2.2+wheezy3"]],
  ["debian/DSA-3029-1.json", "nginx", "7", "1.2.1-2.2+wheezy3", false, []],
  // Ubuntu, epoch-less dpkg
  ["ubuntu/UBUNTU-CVE-2023-38545.json", "curl", "22.04:LTS", "7.81.0-1ubuntu1.13", true, ["7.81.0-1ubuntu1.14"]],
  ["ubuntu/UBUNTU-CVE-2023-38545.json", "curl", "22.04:LTS", "7.81.0-1ubuntu1.14", false, []],
  // Ubuntu unfixed: introduced 0 only
  ["ubuntu/UBUNTU-CVE-2025-38094.json", "linux", "Pro:14.04:LTS", "3.13.0-206.257", true, []],
  // Alpine: introduced != 0, per-release fixes, apk _git suffix
  ["alpine/ALPINE-CVE-2025-26519.json", "musl", "v3.19", "1.2.4_git20230717-r4", true, ["1.2.4_git20230717-r5"]],
  ["alpine/ALPINE-CVE-2025-26519.json", "musl", "v3.19", "1.2.4_git20230717-r5", false, []],
  ["alpine/ALPINE-CVE-2025-26519.json", "musl", "v3.16", "0.9.12-r0", false, []],
  ["alpine/ALPINE-CVE-2025-26519.json", "musl", "v3.16", "1.2.3-r3", true, ["1.2.3-r4"]],
  // rpm with epoch in the fix
  ["almalinux/ALSA-2023_6661.json", "gmp", "9", "1:6.2.0-12.el9", true, ["1:6.2.0-13.el9"]],
  ["almalinux/ALSA-2023_6661.json", "gmp", "9", "1:6.2.0-13.el9", false, []],
  ["almalinux/ALSA-2023_6661.json", "gmp", "9", "6.2.0-20.el9", true, ["1:6.2.0-13.el9"]], // epoch 0 < 1
  ["redhat/RHSA-2024_4546.json", "git-lfs", "rhel_aus:8.6::appstream", "2.13.3-3.el8_6", true, ["0:2.13.3-3.el8_6.1"]],
  ["redhat/RHSA-2024_4546.json", "git-lfs", "rhel_aus:8.6::appstream", "2.13.3-3.el8_6.1", false, []],
  // Go SEMVER: two introduced/fixed pairs, "-0" pre-release introduced
  ["go/GO-2023-2102.json", "stdlib", undefined, "1.20.9", true, ["1.20.10"]],
  ["go/GO-2023-2102.json", "stdlib", undefined, "1.20.10", false, []],
  ["go/GO-2023-2102.json", "stdlib", undefined, "1.21.0", true, ["1.21.3"]],
  ["go/GO-2023-2102.json", "stdlib", undefined, "1.21.3", false, []],
  ["go/GO-2023-2102.json", "golang.org/x/net", undefined, "v0.16.0", true, ["0.17.0"]],
  // Go with no fix at all
  ["go/GO-2025-4004.json", "github.com/lxc/lxd", undefined, "v0.0.0-20230101000000-abcdefabcdef", true, []],
  // Bitnami: SEMVER ranges with last_affected pinning single versions
  ["bitnami/BIT-2020-12603.json", "envoy", undefined, "1.12.3", true, ["1.12.4"]],
  ["bitnami/BIT-2020-12603.json", "envoy", undefined, "1.12.4", false, []],
  ["bitnami/BIT-2020-12603.json", "envoy", undefined, "1.13.2", true, []],
  ["bitnami/BIT-2020-12603.json", "envoy", undefined, "1.13.3", false, []],
  ["bitnami/BIT-2020-12603.json", "envoy", undefined, "1.14.2", true, []],
  // npm, crates.io, NuGet
  ["npm/GHSA-whgm-jr23-g3j9.json", "ansi-html", undefined, "0.0.7", true, ["0.0.8"]],
  ["npm/GHSA-whgm-jr23-g3j9.json", "ansi-html", undefined, "0.0.8", false, []],
  ["crates.io/RUSTSEC-2019-0009.json", "smallvec", undefined, "0.6.4", false, []],
  ["crates.io/RUSTSEC-2019-0009.json", "smallvec", undefined, "0.6.9", true, ["0.6.10"]],
  ["crates.io/RUSTSEC-2019-0009.json", "smallvec", undefined, "0.6.10", false, []],
  ["nuget/GHSA-5crp-9r3c-p9vr.json", "Newtonsoft.Json", undefined, "12.0.3", true, ["13.0.1"]],
  ["nuget/GHSA-5crp-9r3c-p9vr.json", "Newtonsoft.Json", undefined, "13.0.1", false, []],
  // Wolfi/Chainguard apk
  ["chainguard-wolfi/CGA-224q-ccj5-2p53.json", "haproxy-2.2", undefined, "2.2.33-r1", true, ["2.2.34-r0"]],
  ["chainguard-wolfi/CGA-224q-ccj5-2p53.json", "haproxy-2.2", undefined, "2.2.34-r0", false, []],
  // PyPI (PEP 440), several introduced/fixed pairs, last_affected pairs
  ["pypi/PYSEC-2021-98.json", "django", undefined, "2.2.23", true, ["2.2.24"]],
  ["pypi/PYSEC-2021-98.json", "django", undefined, "2.2.24", false, []],
  ["pypi/PYSEC-2021-98.json", "django", undefined, "3.0", true, ["3.1.12"]],
  ["pypi/PYSEC-2021-98.json", "django", undefined, "3.2rc1", false, []], // pre-release sorts before 3.2
  ["pypi/PYSEC-2021-98.json", "django", undefined, "3.2.3", true, ["3.2.4"]],
  ["pypi/PYSEC-2023-74.json", "requests", undefined, "2.2.1", false, []],
  ["pypi/PYSEC-2023-74.json", "requests", undefined, "2.30.0", true, ["2.31.0"]],
  ["pypi/PYSEC-2023-120.json", "aiohttp", undefined, "3.8.4", true, []],
  ["pypi/PYSEC-2023-120.json", "aiohttp", undefined, "3.8.5", false, []],
  ["pypi/PYSEC-2023-120.json", "aiohttp", undefined, "4.0.1", true, []],
  // Maven ordering: alpha/beta qualifiers, two affected entries for one artifact
  ["maven/GHSA-3pxv-7cmr-fjr4.json", "org.apache.logging.log4j:log4j-core", undefined, "2.0-alpha1", true, ["2.25.4"]],
  ["maven/GHSA-3pxv-7cmr-fjr4.json", "org.apache.logging.log4j:log4j-core", undefined, "2.25.3", true, ["2.25.4"]],
  ["maven/GHSA-3pxv-7cmr-fjr4.json", "org.apache.logging.log4j:log4j-core", undefined, "2.25.4", false, []],
  ["maven/full_ranges.osv.json", "com.typesafe.akka:akka-actor_2.12", undefined, "2.4.20", false, []],
  ["maven/full_ranges.osv.json", "com.typesafe.akka:akka-actor_2.12", undefined, "2.5.15", true, ["2.5.16"]],
  // RubyGems record with events out of order (introduced 0, introduced 4.0.1, fixed 4.0.5, fixed 3.0.21)
  ["rubygems/GHSA-9qj7-jvg4-qr2x.osv.json", "passenger", undefined, "3.0.20", true, ["3.0.21"]],
  ["rubygems/GHSA-9qj7-jvg4-qr2x.osv.json", "passenger", undefined, "3.0.21", false, []],
  ["rubygems/GHSA-9qj7-jvg4-qr2x.osv.json", "passenger", undefined, "4.0.0", false, []],
  ["rubygems/GHSA-9qj7-jvg4-qr2x.osv.json", "passenger", undefined, "4.0.4", true, ["4.0.5"]],
  ["rubygems/GHSA-9qj7-jvg4-qr2x.osv.json", "passenger", undefined, "4.0.5", false, []],
  // Packagist (PHP version_compare)
  ["packagist/GHSA-9f46-5r25-5wfm.json", "league/flysystem", undefined, "1.1.3", true, ["1.1.4"]],
  ["packagist/GHSA-9f46-5r25-5wfm.json", "league/flysystem", undefined, "1.1.4", false, []],
  // explicit versions only, no ranges
  ["rubygems/GHSA-4g4c-8gqh-m4vm.osv.json", "paranoid2", undefined, "1.1.6", true, []],
  ["rubygems/GHSA-4g4c-8gqh-m4vm.osv.json", "paranoid2", undefined, "1.1.7", false, []],
  ["pypi/MAL-2024-10238.json", "123bla", undefined, "0.0.1", true, []],
];

describe("evaluate: real advisories", () => {
  it.each(CASES)("%s %s (%s) @ %s → affected=%s", (file, name, release, version, affected, fixed) => {
    const aff = pick(file, name, release);
    expect(evaluate(aff, version)).toEqual({ affected, fixed });
    expect(isAffected(aff, version)).toBe(affected);
    expect(fixedVersions(aff, version)).toEqual(fixed);
  });
});

const semverRange = (events: AffectedPackage["ranges"][number]["events"]): AffectedPackage => ({
  ecosystem: "npm", name: "x", versions: [], severity: [], ranges: [{ type: "SEMVER", events }],
});

describe("evaluate: algorithm details", () => {
  it("events in any order give the same answer", () => {
    const ordered = semverRange([{ kind: "introduced", version: "1.0.0" }, { kind: "fixed", version: "1.2.0" }, { kind: "introduced", version: "2.0.0" }, { kind: "fixed", version: "2.1.0" }]);
    const shuffled = semverRange([{ kind: "fixed", version: "2.1.0" }, { kind: "introduced", version: "2.0.0" }, { kind: "fixed", version: "1.2.0" }, { kind: "introduced", version: "1.0.0" }]);
    for (const v of ["0.9.0", "1.0.0", "1.1.9", "1.2.0", "1.9.0", "2.0.0", "2.0.5", "2.1.0", "3.0.0"]) {
      expect(isAffected(shuffled, v)).toBe(isAffected(ordered, v));
    }
    expect(isAffected(ordered, "2.0.5")).toBe(true);
    expect(isAffected(ordered, "1.9.0")).toBe(false);
  });

  it("limit bounds the range (osv.dev OSV-128: introduced 1.13.0, limit 1.14.2)", () => {
    // values from testdata/osv/synthetic/OSV-128.limit.yaml (YAML, transcribed)
    const aff = semverRange([{ kind: "introduced", version: "1.13.0" }, { kind: "limit", version: "1.14.2" }]);
    expect(isAffected(aff, "1.12.9")).toBe(false);
    expect(isAffected(aff, "1.13.0")).toBe(true);
    expect(isAffected(aff, "1.14.1")).toBe(true);
    expect(isAffected(aff, "1.14.2")).toBe(false);
    expect(isAffected(semverRange([{ kind: "introduced", version: "0" }, { kind: "limit", version: "*" }]), "99.0.0")).toBe(true);
  });

  it("last_affected includes the version itself", () => {
    const aff = semverRange([{ kind: "introduced", version: "0" }, { kind: "last_affected", version: "2.0.0" }]);
    expect(isAffected(aff, "2.0.0")).toBe(true);
    expect(isAffected(aff, "2.0.1")).toBe(false);
    expect(fixedVersions(aff, "1.0.0")).toEqual([]);
  });

  it("a fix of a later interval is not offered for an earlier, unfixed one", () => {
    const aff = semverRange([{ kind: "introduced", version: "0" }, { kind: "last_affected", version: "1.0.0" }, { kind: "introduced", version: "2.0.0" }, { kind: "fixed", version: "2.1.0" }]);
    expect(evaluate(aff, "0.5.0")).toEqual({ affected: true, fixed: [] });
    expect(evaluate(aff, "2.0.5")).toEqual({ affected: true, fixed: ["2.1.0"] });
    expect(evaluate(aff, "1.5.0")).toEqual({ affected: false, fixed: [] });
  });

  it("SEMVER ranges compare as SemVer even in a dpkg ecosystem", () => {
    const aff: AffectedPackage = { ...semverRange([{ kind: "introduced", version: "0" }, { kind: "fixed", version: "1.10.0" }]), ecosystem: "Debian" };
    expect(isAffected(aff, "1.9.0")).toBe(true);
    expect(isAffected(aff, "1.10.0")).toBe(false);
  });

  it("an invalid event version skips that range only, counted", () => {
    const stats = newEvalStats();
    const skipped: string[] = [];
    const aff: AffectedPackage = {
      ecosystem: "npm", name: "x", versions: [], severity: [],
      ranges: [
        { type: "SEMVER", events: [{ kind: "introduced", version: "0" }, { kind: "fixed", version: "not a version" }] },
        { type: "SEMVER", events: [{ kind: "introduced", version: "2.0.0" }, { kind: "fixed", version: "2.0.1" }] },
      ],
    };
    expect(isAffected(aff, "2.0.0", { stats, onSkip: (r) => skipped.push(r) })).toBe(true);
    expect(isAffected(aff, "1.0.0", { stats })).toBe(false);
    expect(stats.invalidRanges).toBe(2);
    expect(skipped[0]).toContain("range skipped");
  });

  it("GIT ranges are ignored and counted (PYSEC-2023-74 has ECOSYSTEM + GIT)", () => {
    const aff = pick("pypi/PYSEC-2023-74.json", "requests");
    const stats = newEvalStats();
    expect(evaluate(aff, "2.30.0", { stats })).toEqual({ affected: true, fixed: ["2.31.0"] });
    expect(stats.gitRangesIgnored).toBe(aff.ranges.filter((r) => r.type === "GIT").length);
    expect(stats.gitRangesIgnored).toBeGreaterThan(0);
    // GIT ranges alone never make a package version affected
    expect(isAffected({ ...aff, versions: [], ranges: aff.ranges.filter((r) => r.type === "GIT") }, "2.30.0")).toBe(false);
  });

  it("an invalid installed version is a typed error", () => {
    const aff = pick("debian/DLA-3008-1.json", "openssl", "9");
    let err: unknown;
    try { evaluate(aff, "not a debian version!"); } catch (e) { err = e; }
    expect(isLookoutError(err, "LKT_ERR_VERSION_INVALID")).toBe(true);
    expect(() => evaluate(semverRange([{ kind: "introduced", version: "0" }]), "garbage")).toThrow(/not valid/);
  });

  it("an ECOSYSTEM range in an ecosystem without a scheme is a typed error", () => {
    const aff: AffectedPackage = { ecosystem: "Nowhere", name: "x", versions: [], severity: [], ranges: [{ type: "ECOSYSTEM", events: [{ kind: "introduced", version: "0" }] }] };
    let err: unknown;
    try { evaluate(aff, "1"); } catch (e) { err = e; }
    expect(isLookoutError(err, "LKT_ERR_ECOSYSTEM_UNSUPPORTED")).toBe(true);
  });

  it("evaluates quickly: 20,000 evaluations well under a second", () => {
    const aff = pick("debian/DLA-3008-1.json", "openssl", "9");
    const t0 = process.cpuUsage(); // CPU time: wall time is noisy on shared CI cores
    for (let i = 0; i < 20_000; i++) evaluate(aff, i % 2 ? "1.1.0l-1~deb9u5" : "1.1.0l-1~deb9u7");
    const { user, system } = process.cpuUsage(t0);
    expect((user + system) / 1000).toBeLessThan(1_000);
  });
});
