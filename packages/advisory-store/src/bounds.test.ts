import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseOsvJson, type AffectedPackage } from "@lookout/advisories";
import { schemeFor } from "@lookout/versions";
import { lowestInstalledKey, upperKey } from "./bounds.js";

const real = (f: string) => parseOsvJson(readFileSync(new URL(`../testdata/osv/${f}`, import.meta.url), "utf8"));
const key = (eco: string, v: string) => schemeFor(eco).sortKey!(v)!;
// SYNTHETIC entries for the shapes no real record here has.
const entry = (ecosystem: string, ranges: AffectedPackage["ranges"], versions: string[] = []): AffectedPackage => ({ ecosystem, name: "p", ranges, versions, severity: [] });
const ev = (kind: "introduced" | "fixed" | "last_affected" | "limit", version: string) => ({ kind, version });

describe("upperKey", () => {
  it("real DLA: the highest of the fix and the listed affected versions", () => {
    const aff = real("DLA-3051-1.json").affected[0]!;
    const all = [...aff.versions, "2021a-0+deb9u4"].map((v) => key("Debian", v)).sort();
    expect(upperKey(aff)).toBe(all.at(-1));
    expect(key("Debian", "2020a-0ubuntu0.18.04") <= upperKey(aff)!).toBe(true); // the composed image's tzdata passes
  });

  it("real DSA without a versions list: the fixed version", () => {
    expect(upperKey(real("DSA-3029-1.json").affected[0]!)).toBe(key("Debian", "1.2.1-2.2+wheezy3"));
  });

  it("last_affected is an inclusive bound; the highest end of several intervals wins", () => {
    expect(upperKey(entry("Debian", [{ type: "ECOSYSTEM", events: [ev("introduced", "0"), ev("last_affected", "1.4-1")] }]))).toBe(key("Debian", "1.4-1"));
    expect(upperKey(entry("Debian", [{ type: "ECOSYSTEM", events: [ev("introduced", "1.0-1"), ev("fixed", "1.5-1"), ev("introduced", "2.0-1"), ev("fixed", "2.3-1")] }]))).toBe(key("Debian", "2.3-1"));
  });

  it("no bound when it cannot be sure", () => {
    expect(upperKey(entry("Debian", [{ type: "ECOSYSTEM", events: [ev("introduced", "0")] }]))).toBeNull(); // never fixed
    expect(upperKey(entry("Debian", [{ type: "ECOSYSTEM", events: [ev("introduced", "1.0-1"), ev("fixed", "1.5-1"), ev("introduced", "2.0-1")] }]))).toBeNull(); // re-opened
    expect(upperKey(entry("npm", [{ type: "SEMVER", events: [ev("introduced", "0"), ev("fixed", "1.0.0")] }]))).toBeNull(); // SemVer, not npm keys
    expect(upperKey(entry("Maven", [{ type: "ECOSYSTEM", events: [ev("introduced", "0"), ev("fixed", "1.0")] }]))).toBeNull(); // no sort keys
    expect(upperKey(entry("Debian", [{ type: "ECOSYSTEM", events: [ev("introduced", "0"), ev("fixed", "not a version!")] }]))).toBeNull();
    expect(upperKey(entry("NoSuchEcosystem", [{ type: "ECOSYSTEM", events: [ev("fixed", "1")] }]))).toBeNull();
  });

  it("GIT ranges are ignored (the matcher never evaluates them)", () => {
    expect(upperKey(entry("PyPI", [{ type: "GIT", repo: "https://x", events: [ev("introduced", "0")] }, { type: "ECOSYSTEM", events: [ev("introduced", "0"), ev("fixed", "2.0")] }]))).toBe(key("PyPI", "2.0"));
  });
});

describe("lowestInstalledKey", () => {
  it("the lowest of the versions, or null when one has no key", () => {
    expect(lowestInstalledKey("Debian", ["2.38.1-5+b1", "2.38.1-5"])).toBe(key("Debian", "2.38.1-5"));
    expect(lowestInstalledKey("Debian", ["2.38.1-5", "not a version"])).toBeNull();
    expect(lowestInstalledKey("Maven", ["1.0"])).toBeNull();
  });
});
