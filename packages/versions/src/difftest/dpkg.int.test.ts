import { describe, expect, it } from "vitest";
import { dpkg } from "../dpkg.js";
import { mutateWith, pairs, Rng } from "./gen.js";
import { runNative, sym } from "./native.js";

// Debian versions built from the pieces that make verrevcmp hard: "~" (below end of string),
// letters vs symbols, leading zeros, epochs, hyphens inside upstream when a revision exists.
function genDebian(rng: Rng): string {
  const epoch = rng.chance(0.3) ? `${rng.pick(["0", "1", "2", "10", "01"])}:` : "";
  const hasRev = rng.chance(0.6);
  const up = ["0", "1", "9", "10", "01", "00", ".", ".", "+", "~", "~", "a", "b", "z", "A", "Z", "dfsg", "rc"];
  if (hasRev) up.push("-");
  if (epoch) up.push(":");
  const upstream = rng.pick(["0", "1", "2", "10", "01"]) + (rng.chance(0.8) ? rng.run(up, 6) : "");
  const rev = hasRev ? `-${rng.run(["0", "1", "2", "10", "01", ".", "+", "~", "a", "b", "ubuntu", "deb12u", "build"], 5)}` : "";
  return epoch + upstream + rev;
}

describe("dpkg differential", () => {
  it("matches python3-apt's apt_pkg.version_compare (order and sort keys) on 5000 generated pairs", async () => {
    const rng = new Rng(0x5eed_0001);
    const ps = pairs(rng, 5000, () => genDebian(rng), mutateWith(rng, "0123456789.~+-ab"));
    // apt parses an epoch with its own rules ("+1:2" is dpkg's strtol-epoch 1, not apt's), so
    // signs are left to the dpkg test below.
    const valid = ps.filter(([a, b]) => dpkg.valid(a) && dpkg.valid(b) && /^[0-9]/.test(a) && /^[0-9]/.test(b));
    expect(valid.length).toBeGreaterThan(4000);
    const script = "import sys, apt_pkg\napt_pkg.init_system()\nfor l in sys.stdin:\n  a, b = l.rstrip('\\n').split('\\t')\n  print(apt_pkg.version_compare(a, b))";
    const out = await runNative("/usr/bin/python3", ["-c", script], valid.map(([a, b]) => `${a}\t${b}`));
    const bad = valid.flatMap(([a, b], i) => (sym(dpkg.compare(a, b)) === sym(Number(out[i])) ? [] : [`${a} ${sym(Number(out[i]))} ${b}`]));
    expect(bad).toEqual([]);
    const keyOrder = (a: string, b: string): string => {
      const [x, y] = [dpkg.sortKey(a) as string, dpkg.sortKey(b) as string];
      return x < y ? "<" : x > y ? ">" : "=";
    };
    const badKeys = valid.flatMap(([a, b], i) => (keyOrder(a, b) === sym(Number(out[i])) ? [] : [`${a} ${sym(Number(out[i]))} ${b}, keys ${keyOrder(a, b)}`]));
    expect(badKeys).toEqual([]);
  });

  it("matches `dpkg --compare-versions`, including what dpkg refuses (error) and only warns about", async () => {
    const rng = new Rng(0x5eed_0002);
    const ps = pairs(rng, 300, () => genDebian(rng), mutateWith(rng, "0~:-_@ aA."));
    ps.push(["1:", "1"], [":1", "1"], ["a:1", "1"], ["1-", "1"], ["-1", "1"], ["1:-1", "1"], ["abc", "1"], ["1_2", "1.2"], ["1 2", "1"], ["99999999999:1", "1"], ["-1:1", "1"], ["+1:1", "1:1"]);
    const script = [
      "while IFS=$'\\t' read -r a b; do",
      '  if dpkg --compare-versions "$a" lt "$b" 2>/dev/null; then echo "<";',
      '  elif dpkg --compare-versions "$a" eq "$b" 2>/dev/null; then echo "=";',
      '  elif dpkg --compare-versions "$a" gt "$b" 2>/dev/null; then echo ">";',
      "  else echo error; fi",
      "done",
    ].join("\n");
    const out = await runNative("bash", ["-c", script], ps.map(([a, b]) => `${a}\t${b}`));
    const ours = (a: string, b: string): string => {
      try {
        return sym(dpkg.compare(a, b));
      } catch {
        return "error";
      }
    };
    const bad = ps.flatMap(([a, b], i) => (ours(a, b) === out[i] ? [] : [`${JSON.stringify(a)} ${JSON.stringify(b)}: dpkg ${out[i]} ours ${ours(a, b)}`]));
    expect(bad).toEqual([]);
    expect(out.filter((o) => o === "error").length).toBeGreaterThan(5);
    const keyOrder = (a: string, b: string): string => {
      const [x, y] = [dpkg.sortKey(a), dpkg.sortKey(b)];
      if (x === undefined || y === undefined) return "error";
      return x < y ? "<" : x > y ? ">" : "=";
    };
    const badKeys = ps.flatMap(([a, b], i) => (keyOrder(a, b) === out[i] ? [] : [`${JSON.stringify(a)} ${JSON.stringify(b)}: dpkg ${out[i]} keys ${keyOrder(a, b)}`]));
    expect(badKeys).toEqual([]);
  });
});
