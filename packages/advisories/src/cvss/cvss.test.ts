import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isLookoutError } from "@lookout/domain";
import { score } from "./index.js";

// Upstream vectors with expected scores (RedHatProductSecurity/cvss tests/, see testdata/README.md).
const DIR = join(import.meta.dirname, "../../testdata/cvss");

interface Case { file: string; line: number; vector: string; expected: number }

function load(sub: string): Case[] {
  const out: Case[] = [];
  for (const file of readdirSync(join(DIR, sub))) {
    const lines = readFileSync(join(DIR, sub, file), "utf8").split("\n");
    lines.forEach((text, i) => {
      if (text.trim() === "") return;
      const sep = text.indexOf(" - ");
      const vector = text.slice(0, sep);
      // "(base, temporal, env)", "(score,)" or a bare score: the first number is what we compare
      const first = text.slice(sep + 3).replace(/[()]/g, "").split(",")[0]!.trim();
      out.push({ file, line: i + 1, vector, expected: Number(first) });
    });
  }
  return out;
}

describe.each([
  ["v2", 729 + 24 + 5],
  ["v3.0", 2592 + 29 + 2],
  ["v3.1", 2592],
  ["v4.0", 1058 + 576 + 54 + 6],
])("CVSS %s upstream vectors", (sub, count) => {
  const cases = load(sub);
  it(`loads all ${count} vectors`, () => expect(cases).toHaveLength(count));
  it("scores every vector as upstream expects", () => {
    const wrong = cases
      .map((c) => ({ ...c, got: score(c.vector).baseScore }))
      .filter((c) => c.got !== c.expected && !(c.got === 0 && c.expected === 0));
    expect(wrong.slice(0, 5)).toEqual([]);
  });
});

describe("score", () => {
  it.each([
    ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "3.1", 9.8, "critical"],
    ["CVSS:3.0/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "3.0", 6.8, "medium"],
    ["AV:N/AC:L/Au:N/C:P/I:P/A:P", "2.0", 7.5, "high"],
    ["CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "4.0", 9.3, "critical"],
    ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", "3.1", 0, "none"],
  ])("%s", (vector, version, base, severity) => {
    expect(score(vector)).toEqual({ version, baseScore: base, severity });
  });

  it.each([
    ["", "no metrics"],
    ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", "missing base metric A"],
    ["CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "invalid value"],
    ["CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "repeated"],
    ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1", "unknown metric"],
    ["CVSS:4.0/AV:N/AC:L", "missing base metric"],
    ["CVSS:9.9/AV:N", "not a v2 vector"],
    ["garbage", "malformed metric"],
    ["x".repeat(10_000), "too long"],
  ])("rejects %j", (vector, why) => {
    let err: unknown;
    try { score(vector); } catch (e) { err = e; }
    expect(isLookoutError(err, "LKT_ERR_CVSS_INVALID")).toBe(true);
    expect((err as Error).message).toContain(why);
    expect((err as Error).message).not.toContain("\n");
  });
});
