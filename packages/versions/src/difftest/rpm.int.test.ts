import { describe, expect, it } from "vitest";
import { rpm } from "../rpm.js";
import { mutateWith, pairs, Rng } from "./gen.js";
import { runNative, sym } from "./native.js";

// EVRs built from rpmvercmp's hard parts: "~" and "^", separators that only split segments,
// alpha vs numeric segments, leading zeros, epochs (incl. empty ":"), missing releases.
function genEvr(rng: Rng): string {
  const parts = ["0", "1", "2", "10", "01", "007", "a", "b", "B", "rc", "git", ".", ".", "_", "+", "~", "^"];
  const epoch = rng.chance(0.3) ? `${rng.pick(["", "0", "1", "2", "00", "10"])}:` : "";
  const version = rng.pick(["0", "1", "2", "10", "a"]) + rng.run(parts, 6);
  const release = rng.chance(0.7) ? `-${rng.run(parts, 5)}` : "";
  return epoch + version + release;
}

describe("rpm differential", () => {
  it("matches python3-rpm (rpm.ver rich comparison, rpm 4.18; order and sort keys) on 5000 generated pairs", async () => {
    const rng = new Rng(0x5eed_0101);
    const ps = pairs(rng, 5000, () => genEvr(rng), mutateWith(rng, "0129.~^_a-:"));
    const valid = ps.filter(([a, b]) => rpm.valid(a) && rpm.valid(b));
    expect(valid.length).toBeGreaterThan(4500);
    const script = [
      "import sys, rpm",
      "for l in sys.stdin:",
      "  a, b = l.rstrip('\\n').split('\\t')",
      "  x, y = rpm.ver(a), rpm.ver(b)",
      "  print((x > y) - (x < y))",
    ].join("\n");
    const out = await runNative("/usr/bin/python3", ["-c", script], valid.map(([a, b]) => `${a}\t${b}`));
    const bad = valid.flatMap(([a, b], i) => (sym(rpm.compare(a, b)) === sym(Number(out[i])) ? [] : [`${a} ${sym(Number(out[i]))} ${b}`]));
    expect(bad).toEqual([]);
    const keyOrder = (a: string, b: string): string => {
      const [x, y] = [rpm.sortKey(a) as string, rpm.sortKey(b) as string];
      return x < y ? "<" : x > y ? ">" : "=";
    };
    const badKeys = valid.flatMap(([a, b], i) => (keyOrder(a, b) === sym(Number(out[i])) ? [] : [`${a} ${sym(Number(out[i]))} ${b}, keys ${keyOrder(a, b)}`]));
    expect(badKeys).toEqual([]);
  });

  it("matches rpm.labelCompare on the same EVRs split into (epoch, version, release)", async () => {
    const rng = new Rng(0x5eed_0102);
    const ps = pairs(rng, 3000, () => genEvr(rng), mutateWith(rng, "0129.~^_a"));
    const valid = ps.filter(([a, b]) => rpm.valid(a) && rpm.valid(b));
    const tuple = (v: string): string => {
      const p = rpm.parse(v);
      return [p.epoch, p.version, p.release ?? "\u0000"].join("\u0001");
    };
    const script = [
      "import sys, rpm",
      "def t(s):",
      "  e, v, r = s.split('\\x01')",
      "  return (e, v, None if r == '\\x00' else r)",
      "for l in sys.stdin:",
      "  a, b = l.rstrip('\\n').split('\\t')",
      "  print(rpm.labelCompare(t(a), t(b)))",
    ].join("\n");
    const out = await runNative("/usr/bin/python3", ["-c", script], valid.map(([a, b]) => `${tuple(a)}\t${tuple(b)}`));
    const bad = valid.flatMap(([a, b], i) => (sym(rpm.compare(a, b)) === sym(Number(out[i])) ? [] : [`${a} ${sym(Number(out[i]))} ${b}`]));
    expect(bad).toEqual([]);
  });
});
