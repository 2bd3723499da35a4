import { describe, expect, it } from "vitest";
import { pep440 } from "../pep440.js";
import { mutateWith, pairs, Rng } from "./gen.js";
import { runNative, sym } from "./native.js";

const SEP = ["", "", ".", "-", "_"];

// PEP 440 spellings that normalise to the same thing (alpha/a, c/rc/pre/preview, -N post, rev/r,
// case, "v", whitespace) plus epochs, dev/post/pre mixes and local segments.
function genPep440(rng: Rng): string {
  let s = rng.chance(0.1) ? rng.pick(["v", "V"]) : "";
  if (rng.chance(0.15)) s += `${rng.pick(["0", "1", "2", "01"])}!`;
  s += rng.pick(["0", "1", "2", "10", "01"]);
  for (let i = rng.int(4); i > 0; i--) s += `.${rng.pick(["0", "1", "2", "10", "00", "01"])}`;
  if (rng.chance(0.4)) {
    s += rng.pick(SEP) + rng.pick(["a", "alpha", "b", "beta", "c", "rc", "pre", "preview", "RC", "Alpha"]);
    if (rng.chance(0.7)) s += rng.pick(SEP) + rng.pick(["0", "1", "2", "10", "01"]);
  }
  if (rng.chance(0.3)) {
    s += rng.chance(0.3) ? `-${rng.pick(["0", "1", "2"])}` : rng.pick(SEP) + rng.pick(["post", "rev", "r", "POST"]) + (rng.chance(0.7) ? rng.pick(SEP) + rng.pick(["0", "1", "2"]) : "");
  }
  if (rng.chance(0.3)) s += rng.pick(SEP) + rng.pick(["dev", "DEV"]) + (rng.chance(0.7) ? rng.pick(SEP) + rng.pick(["0", "1", "2"]) : "");
  if (rng.chance(0.2)) s += `+${rng.pick(["ubuntu", "1", "abc", "0", "01", "A"])}${rng.chance(0.5) ? rng.pick([".", "-", "_"]) + rng.pick(["1", "2", "x", "10"]) : ""}`;
  if (rng.chance(0.05)) s = ` ${s} `;
  return s;
}

describe("PyPI differential", () => {
  it("matches python3-packaging's Version (validity, order, sort keys) on 5000 generated pairs", async () => {
    const rng = new Rng(0x5eed_0201);
    const ps = pairs(rng, 5000, () => genPep440(rng), mutateWith(rng, "0129.-_+!abrcpostdev"));
    const script = [
      "import sys",
      "from packaging.version import Version, InvalidVersion",
      "def p(s):",
      "  try: return Version(s)",
      "  except InvalidVersion: return None",
      "for l in sys.stdin:",
      "  a, b = l.rstrip('\\n').split('\\t')",
      "  x, y = p(a), p(b)",
      "  print('error' if x is None or y is None else (x > y) - (x < y))",
    ].join("\n");
    const out = await runNative("/usr/bin/python3", ["-c", script], ps.map(([a, b]) => `${a}\t${b}`));
    const ours = (a: string, b: string): string => {
      try {
        return sym(pep440.compare(a, b));
      } catch {
        return "error";
      }
    };
    const theirs = (o: string | undefined): string => (o === "error" ? o : sym(Number(o)));
    const bad = ps.flatMap(([a, b], i) => (ours(a, b) === theirs(out[i]) ? [] : [`${JSON.stringify(a)} ${JSON.stringify(b)}: packaging ${out[i]} ours ${ours(a, b)}`]));
    expect(bad).toEqual([]);
    expect(out.filter((o) => o === "error").length).toBeGreaterThan(100);
    // Sort keys must order every valid pair exactly as packaging does.
    const keyOrder = (a: string, b: string): string => {
      const [x, y] = [pep440.sortKey(a) as string, pep440.sortKey(b) as string];
      return x < y ? "<" : x > y ? ">" : "=";
    };
    const badKeys = ps.flatMap(([a, b], i) => (out[i] === "error" || keyOrder(a, b) === theirs(out[i]) ? [] : [`${a} ${b}: packaging ${out[i]} keys ${keyOrder(a, b)}`]));
    expect(badKeys).toEqual([]);
  });
});
