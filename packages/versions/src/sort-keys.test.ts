import { describe, expect, it } from "vitest";
import { apk } from "./apk.js";
import { mutateWith, pairs, Rng } from "./difftest/gen.js";
import { dpkg } from "./dpkg.js";
import { readVectors } from "./fixtures.js";
import { nuget } from "./nuget.js";
import { pep440 } from "./pep440.js";
import { rpm } from "./rpm.js";
import { rubygems } from "./rubygems.js";
import type { VersionScheme } from "./scheme.js";
import { semver } from "./semver.js";

/** Sorting by key (plain code-unit order, as SQL COLLATE "C") must equal sorting by compare. */
function expectKeysSort(scheme: VersionScheme, ascending: string[]): void {
  const key = (v: string): string => {
    const k = scheme.sortKey?.(v);
    expect(k, v).toBeTypeOf("string");
    return k as string;
  };
  for (let i = 1; i < ascending.length; i++) {
    const [a, b] = [ascending[i - 1] as string, ascending[i] as string];
    const want = scheme.compare(a, b);
    expect(want, `${a} <= ${b}`).toBeLessThanOrEqual(0);
    expect(key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0, `keys of ${a}, ${b}`).toBe(want);
  }
  const shuffled = [...ascending].reverse();
  expect(shuffled.sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0))).toEqual(ascending);
}

describe("sort keys", () => {
  it("dpkg: ~, epochs, revisions, trailing zeros, symbols and non-ASCII", () => {
    expectKeysSort(dpkg, ["~~", "~", "0", "0.0~", "0.0", "0.0a", "0.0é", "0.0+", "0.0.0", "1.0~rc1", "1.0", "1.0-0.1", "1.0-1~bpo", "1.0-1", "1.0-1a", "1.0-1+b1", "1.00a", "1.0.1", "1.10", "2", "1:0-~", "1:0", "2:0.1"]);
    expect(dpkg.sortKey("1.0")).toBe(dpkg.sortKey("1.00-0"));
    expect(dpkg.sortKey("1:")).toBeUndefined();
  });

  it("rpm: ~ before the end, ^ after it, alpha before numeric, missing release first", () => {
    expectKeysSort(rpm, ["0", "1~~", "1~", "1~rc1", "1", "1-0", "1-1", "1^", "1^git1", "1a", "1.a.b", "1.a1", "1.0", "1.01.1", "10", "1:0", "2:0~"]);
    expect(rpm.sortKey("0:1.0-1")).toBe(rpm.sortKey("1_0-01"));
  });

  it("rubygems: zeros inside the version only matter through what follows them", () => {
    expectKeysSort(rubygems, ["1.a.0.b", "1.a", "1.a.0.1", "1.a.1", "1.b", "1", "1.0.0.1", "1.0.1", "1.1.a", "1.1", "2.pre", "2"]);
    expect(rubygems.sortKey("1.0.a")).toBe(rubygems.sortKey("1.a.0"));
  });

  it("pep440: dev < pre < release < local < post, epochs", () => {
    expectKeysSort(pep440, ["0.dev0", "0", "0.0.1", "1.0.dev0", "1.0a1.dev1", "1.0a1", "1.0a1.post1", "1.0b1", "1.0rc1", "1.0", "1.0+abc", "1.0+abc.1", "1.0+1", "1.0.post1.dev0", "1.0.post1", "1.0.1", "1.10", "1!0"]);
    expect(pep440.sortKey("1.0.0")).toBe(pep440.sortKey("v1.0"));
    expect(pep440.sortKey("nope")).toBeUndefined();
  });
});

describe("sort keys agree with compare on every public vector version", () => {
  const sets: [string, VersionScheme][] = [
    ["osv-scalibr/alpine-versions.txt", apk],
    ["osv-scalibr/debian-versions.txt", dpkg],
    ["osv-scalibr/redhat-versions.txt", rpm],
    ["claircore/rpm/rpmvercmp", rpm],
    ["osv-scalibr/pypi-versions.txt", pep440],
    ["osv-scalibr/semver-versions.txt", semver],
    ["osv-scalibr/nuget-versions.txt", nuget],
    ["osv-scalibr/rubygems-versions.txt", rubygems],
  ];
  it.each(sets)("%s", (file, scheme) => {
    const vs = [...new Set(readVectors(file).flatMap((v) => [v.a, v.b]))].filter((v) => scheme.valid(v));
    expect(vs.length).toBeGreaterThan(10);
    const keys = new Map(vs.map((v) => [v, scheme.sortKey?.(v) as string]));
    const bad: string[] = [];
    for (const a of vs) {
      const x = keys.get(a) as string;
      for (const b of vs) {
        const y = keys.get(b) as string;
        if ((x < y ? -1 : x > y ? 1 : 0) !== scheme.compare(a, b)) bad.push(`${a} vs ${b}`);
      }
    }
    expect(bad).toEqual([]);
  });
});

describe("apk sort keys on generated versions", () => {
  it("order 20000 random pairs exactly like apk.compare", () => {
    const rng = new Rng(0x5eed_0701);
    const gen = (): string => {
      let s = rng.pick(["0", "1", "2", "10", "01", "00"]);
      for (let i = rng.int(3); i > 0; i--) s += `.${rng.pick(["0", "1", "2", "10", "01", "00", "001", "18446744073709551616"])}`;
      if (rng.chance(0.3)) s += rng.pick(["a", "b", "z"]);
      for (let i = rng.int(3); i > 0; i--) s += `_${rng.pick(["alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"])}${rng.pick(["", "0", "1", "2", "10"])}`;
      if (rng.chance(0.1)) s += `~${rng.pick(["a", "ab", "0f", "abc1"])}`;
      if (rng.chance(0.5)) s += `-r${rng.pick(["0", "1", "2", "10", "01"])}`;
      return s;
    };
    let n = 0;
    for (const [a, b] of pairs(rng, 20000, gen, mutateWith(rng, "0129._-rabp"))) {
      if (!apk.valid(a) || !apk.valid(b)) continue;
      const [x, y] = [apk.sortKey(a), apk.sortKey(b)];
      if (x === undefined || y === undefined) continue;
      expect(x < y ? -1 : x > y ? 1 : 0, `${a} vs ${b}`).toBe(apk.compare(a, b));
      n++;
    }
    expect(n).toBeGreaterThan(10000);
  });
});
