import { describe, expect, it } from "vitest";
import { readVectors } from "./fixtures.js";
import { apk, dpkg, maven, nuget, packagist, pep440, rpm, rubygems, semver, type VersionScheme } from "./index.js";

/**
 * Public comparison vectors (testdata/README.md). Every vector is checked in both directions.
 * Vectors whose versions the native tool itself calls invalid are listed in INVALID and must be
 * refused with LKT_ERR_VERSION_INVALID instead of being string-compared, as the osv-scalibr
 * files do: apk_version_validate rejects them (Alpine), packaging>=22 has no LegacyVersion
 * (PyPI), Gem::Version.new raises (RubyGems), System.Version's int32 limit (NuGet), and OSV's
 * semver ignores a 4th number where SemVer has none.
 */
const FILES: [string, VersionScheme][] = [
  ["osv-scalibr/alpine-versions.txt", apk],
  ["osv-scalibr/debian-versions.txt", dpkg],
  ["osv-scalibr/maven-versions.txt", maven],
  ["claircore/maven/compare.list", maven],
  ["osv-scalibr/nuget-versions.txt", nuget],
  ["osv-scalibr/packagist-versions.txt", packagist],
  ["osv-scalibr/pypi-versions.txt", pep440],
  ["osv-scalibr/redhat-versions.txt", rpm],
  ["claircore/rpm/rpmvercmp", rpm],
  ["osv-scalibr/rubygems-versions.txt", rubygems],
  ["osv-scalibr/semver-versions.txt", semver],
];

const INVALID: Record<string, number> = {
  "osv-scalibr/alpine-versions.txt": 37,
  "osv-scalibr/nuget-versions.txt": 2,
  "osv-scalibr/packagist-versions.txt": 6,
  "osv-scalibr/pypi-versions.txt": 11,
  "osv-scalibr/rubygems-versions.txt": 2,
  "osv-scalibr/semver-versions.txt": 1,
};

// Vectors where the native tool disagrees with the file; we follow the native tool, and the
// value here is what Maven's own ComparableVersion (maven-artifact jar, see
// difftest/maven.int.test.ts) answers. "1-1 = 1-ga-1" is the pom.html prose, but the parser keeps
// [1,[[1]]] vs [1,[1]]; "2.0.a < 2.0.0.a" predates MNG-7644 (".X" is treated as "-X").
const DISAGREE: Record<string, -1 | 0 | 1> = {
  "osv-scalibr/maven-versions.txt:100": 1,
  "claircore/maven/compare.list:109": 0,
};

describe("public comparison vectors", () => {
  for (const [file, scheme] of FILES) {
    it(`${file} (${scheme.name})`, () => {
      let invalid = 0;
      let checked = 0;
      for (const v of readVectors(file)) {
        const where = `${file}:${v.line} ${v.a} ? ${v.b}`;
        if (!scheme.valid(v.a) || !scheme.valid(v.b)) {
          invalid++;
          expect(() => scheme.compare(v.a, v.b), where).toThrow(expect.objectContaining({ code: "LKT_ERR_VERSION_INVALID" }));
          continue;
        }
        const native = DISAGREE[`${file}:${v.line}`];
        if (native !== undefined) {
          expect(scheme.compare(v.a, v.b), where).toBe(native);
          continue;
        }
        expect(scheme.compare(v.a, v.b), where).toBe(v.want);
        expect(scheme.compare(v.b, v.a), where).toBe(v.want === 0 ? 0 : -v.want);
        checked++;
      }
      expect(invalid, `${file} invalid vectors`).toBe(INVALID[file] ?? 0);
      expect(checked).toBeGreaterThan(0);
    });
  }

  it("claircore rpm EVR lines (the NEVRA lines carry package names, which EVR comparison has no part of)", () => {
    const evr = readVectors("claircore/rpm/compare").filter((v) => /^(\d+:)?\d+-\d+$/.test(v.a) && /^(\d+:)?\d+-\d+$/.test(v.b));
    expect(evr.map((v) => `${v.a} ${v.b}`)).toEqual(["1:1-1 0:99-99", "1-1 1-2", "1-1 1-1"]);
    for (const v of evr) expect(rpm.compare(v.a, v.b)).toBe(v.want);
  });
});
