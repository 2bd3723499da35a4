import { describe, expect, it } from "vitest";
import { dpkg } from "./dpkg.js";
import { pep440 } from "./pep440.js";
import type { VersionScheme } from "./scheme.js";

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

  it("pep440: dev < pre < release < local < post, epochs", () => {
    expectKeysSort(pep440, ["0.dev0", "0", "0.0.1", "1.0.dev0", "1.0a1.dev1", "1.0a1", "1.0a1.post1", "1.0b1", "1.0rc1", "1.0", "1.0+abc", "1.0+abc.1", "1.0+1", "1.0.post1.dev0", "1.0.post1", "1.0.1", "1.10", "1!0"]);
    expect(pep440.sortKey("1.0.0")).toBe(pep440.sortKey("v1.0"));
    expect(pep440.sortKey("nope")).toBeUndefined();
  });
});
