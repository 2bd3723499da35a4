import { describe, expect, it } from "vitest";
import { crates } from "./crates.js";
import { go } from "./go.js";
import { npm } from "./npm.js";
import { nuget } from "./nuget.js";
import type { VersionScheme } from "./scheme.js";
import { semver } from "./semver.js";
import { expectInvalid, expectOrder } from "./test-helpers.js";

const SEMVER_SPEC: [string, "<" | "=" | ">", string][] = [
  ["1.0.0-alpha", "<", "1.0.0-alpha.1"],
  ["1.0.0-alpha.1", "<", "1.0.0-alpha.beta"],
  ["1.0.0-alpha.beta", "<", "1.0.0-beta"],
  ["1.0.0-beta", "<", "1.0.0-beta.2"],
  ["1.0.0-beta.2", "<", "1.0.0-beta.11"],
  ["1.0.0-beta.11", "<", "1.0.0-rc.1"],
  ["1.0.0-rc.1", "<", "1.0.0"],
  ["1.0.0", "<", "2.0.0"],
  ["1.0.0+build.1", "=", "1.0.0+build.2"],
  ["1.0.0-a-b", ">", "1.0.0-a"],
  ["1.0.0-B", "<", "1.0.0-a"], // ASCII order
];

/** Every semver-like scheme must order the SemVer 2.0 §11 examples the same way. */
describe.each([semver, npm, crates, go, nuget] as VersionScheme[])("$name: SemVer 2.0 precedence", (scheme) => {
  it("orders the spec's examples", () => {
    expectOrder(scheme, scheme === nuget ? SEMVER_SPEC.filter(([a]) => a !== "1.0.0-B") : SEMVER_SPEC);
  });

  it("has sort keys whose byte order is version order", () => {
    const vs = ["0.0.1", "0.1.0", "1.0.0-0", "1.0.0-1", "1.0.0-10", "1.0.0-9", "1.0.0-a", "1.0.0-a.1", "1.0.0-a-", "1.0.0-b", "1.0.0", "1.0.1", "1.10.0", "1.9.9", "10.0.0", "2.0.0"];
    const keyed = vs.filter((v) => scheme.valid(v));
    const key = (v: string): string => scheme.sortKey?.(v) as string;
    const byKey = [...keyed].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
    const byCmp = [...keyed].sort((x, y) => scheme.compare(x, y));
    expect(byKey).toEqual(byCmp);
    expect(scheme.sortKey?.("not a version")).toBeUndefined();
  });
});

describe("npm (node-semver compare)", () => {
  it("accepts what `new SemVer(v)` accepts", () => {
    expectOrder(npm, [
      ["v1.2.3", "=", "1.2.3"],
      [" 1.2.3 ", "=", "1.2.3"],
      ["1.2.3-alpha.10", ">", "1.2.3-alpha.9"],
      ["9007199254740991.0.0", ">", "1.0.0"],
    ]);
    expectInvalid(npm, ["=1.2.3", "1.2", "01.2.3", "1.2.3-01", "1.2.3.4", "9007199254740992.0.0", "1.2.3-", "1.2.3+", "", "x".repeat(300)], "1.0.0");
  });
});

describe("crates.io (SemVer 2.0, Cargo's parser)", () => {
  it("refuses what semver::Version::parse refuses", () => {
    expectOrder(crates, [["18446744073709551615.0.0", ">", "1.0.0"]]);
    expectInvalid(crates, ["v1.2.3", "1.2", "1.2.3-01", "01.2.3", "18446744073709551616.0.0", "1.2.3-", " 1.2.3"], "1.0.0");
  });
});

describe("Go (golang.org/x/mod/semver)", () => {
  it("orders shorthands, +incompatible and pseudo-versions", () => {
    expectOrder(go, [
      ["v1", "=", "v1.0.0"],
      ["v1.2", "=", "1.2.0"],
      ["v2.0.0+incompatible", "=", "v2.0.0"],
      ["v2.0.0+incompatible", ">", "v1.9.9"],
      ["v0.0.0-20191109021931-daa7c04131f5", "<", "v0.0.1"],
      ["v0.0.0-20191109021931-daa7c04131f5", ">", "v0.0.0-20181109021931-daa7c04131f5"],
      ["v1.2.4-0.20191109021931-daa7c04131f5", ">", "v1.2.3"],
      ["v1.2.4-0.20191109021931-daa7c04131f5", "<", "v1.2.4"],
      ["v1.2.3-pre.0.20191109021931-daa7c04131f5", ">", "v1.2.3-pre"],
      ["v100000000000000000000.0.0", ">", "v99999999999999999999.0.0"],
    ]);
    expectInvalid(go, ["v1.2-pre", "v1.2+meta", "v01.2.3", "v1.2.3-01", "vv1.2.3", "v1.2.3.4", ""], "v1.0.0");
  });
});

describe("NuGet (NuGet.Versioning)", () => {
  it("orders four-part versions, case-insensitive labels, ignores metadata", () => {
    expectOrder(nuget, [
      ["1.0", "=", "1.0.0.0"],
      ["1", "=", "1.0.0"],
      ["1.0.0.1", ">", "1.0.0"],
      ["1.0.01", "=", "1.0.1"],
      ["1.0.0-BETA", "=", "1.0.0-beta"],
      ["1.0.0-beta+AA", "=", "1.0.0-BETA+bb"],
      ["1.0.0-beta.2", "<", "1.0.0-beta.10"],
      ["1.0.0-beta.1", "<", "1.0.0-beta.a"],
      ["1.0.0-2147483648", ">", "1.0.0-3"], // beyond int32 a label is text (Int32.TryParse fails), and text sorts after numbers
      ["1.0.0-rc", "<", "1.0.0"],
    ]);
    expectInvalid(nuget, ["", "1.2.3.4.5", "a.b", "1.0.0-", "1.0.0-beta..1", "1.0.0-01", "2147483648.0", "1.0.0-beta_1", "-1.0"], "1.0.0");
  });
});

describe("semver (OSV SemVer type, Bitnami)", () => {
  it("tolerates a leading v, short forms and huge numbers", () => {
    expectOrder(semver, [
      ["v1.2.3", "=", "1.2.3"],
      ["1.2", "=", "1.2.0"],
      ["1", "=", "1.0.0"],
      ["999999999999999999999999999991", "<", "999999999999999999999999999999"],
      ["1.2.3-r2", ">", "1.2.3-r100"],
    ]);
    expectInvalid(semver, ["", "1.2.3.4", "01.2.3", "1.2.3-", "1.2.3-a..b", "a.b.c"], "1.0.0");
  });
});
