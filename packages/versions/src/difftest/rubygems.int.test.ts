import { describe, expect, it } from "vitest";
import { rubygems } from "../rubygems.js";
import { mutateWith, pairs, Rng } from "./gen.js";
import { runNative, sym } from "./native.js";

// Gem versions: numeric segments with trailing zeros, letter segments ("pre", "rc", "a"),
// letters glued to numbers, "-" (becomes ".pre."), case, whitespace, and malformed strings.
function genGem(rng: Rng): string {
  const seg = ["0", "1", "2", "10", "01", "00", "a", "b", "pre", "rc", "rc1", "1a", "A", "beta2", "0a"];
  let s = rng.pick(["0", "1", "2", "10", "01"]);
  for (let i = rng.int(5); i > 0; i--) s += `.${rng.pick(seg)}`;
  if (rng.chance(0.2)) s += `-${rng.pick(["1", "pre", "x-y", "rc.1", "a"])}`;
  if (rng.chance(0.05)) s = ` ${s}\t`;
  return s;
}

describe("RubyGems differential", () => {
  it("matches Ruby's Gem::Version (correct?, <=>, sort keys) on 4000 generated pairs", async () => {
    const rng = new Rng(0x5eed_0401);
    const ps = pairs(rng, 4000, () => genGem(rng), mutateWith(rng, "019.-ab"));
    const script = [
      "STDIN.each_line do |l|",
      '  a, b = l.chomp.split("\\t", 2)',
      "  if Gem::Version.correct?(a) && Gem::Version.correct?(b) && a.strip != '' && b.strip != ''",
      "    puts(Gem::Version.new(a) <=> Gem::Version.new(b))",
      "  else",
      "    puts 'error'",
      "  end",
      "end",
    ].join("\n");
    const lines = ps.map(([a, b]) => `${a.replaceAll("\t", " ")}\t${b.replaceAll("\t", " ")}`);
    const out = await runNative("ruby", ["-e", script], lines);
    const ours = (a: string, b: string): string => {
      try {
        return sym(rubygems.compare(a, b));
      } catch {
        return "error";
      }
    };
    const theirs = (o: string | undefined): string => (o === "error" ? o : sym(Number(o)));
    const bad = lines.flatMap((l, i) => {
      const [a, b] = l.split("\t") as [string, string];
      return ours(a, b) === theirs(out[i]) ? [] : [`${JSON.stringify(a)} ${JSON.stringify(b)}: ruby ${out[i]} ours ${ours(a, b)}`];
    });
    expect(bad).toEqual([]);
    expect(out.filter((o) => o === "error").length).toBeGreaterThan(50);
    const keyOrder = (a: string, b: string): string => {
      const [x, y] = [rubygems.sortKey(a), rubygems.sortKey(b)];
      if (x === undefined || y === undefined) return "error";
      return x < y ? "<" : x > y ? ">" : "=";
    };
    const badKeys = lines.flatMap((l, i) => {
      const [a, b] = l.split("\t") as [string, string];
      return keyOrder(a, b) === theirs(out[i]) ? [] : [`${JSON.stringify(a)} ${JSON.stringify(b)}: ruby ${out[i]} keys ${keyOrder(a, b)}`];
    });
    expect(badKeys).toEqual([]);
  });
});
