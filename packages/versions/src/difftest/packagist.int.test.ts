import { describe, expect, it } from "vitest";
import { packagist } from "../packagist.js";
import { mutateWith, pairs, Rng } from "./gen.js";
import { runNative, sym } from "./native.js";

// Composer-style versions: numbers, every special form (dev, alpha/a, beta/b, RC/rc, pl/p,
// patch), unknown words, and "-", "_", "+", "." separators in any combination.
function genComposer(rng: Rng): string {
  const tok = ["0", "1", "2", "10", "01", "dev", "alpha", "a", "beta", "b", "RC", "rc", "pl", "p", "patch", "stable", "gamma", "x"];
  let s = rng.pick(["0", "1", "2", "10", "1.0", "2.3.4"]);
  for (let i = rng.int(5); i > 0; i--) s += rng.pick(["", ".", "-", "_", "+", ".", "-"]) + rng.pick(tok);
  return s;
}

describe("Packagist differential", () => {
  it("matches PHP's version_compare on 4000 generated pairs (numbers below 2^63)", async () => {
    const rng = new Rng(0x5eed_0601);
    const ps = pairs(rng, 4000, () => genComposer(rng), mutateWith(rng, "019.-_+abpRC"));
    const valid = ps.filter(([a, b]) => packagist.valid(a) && packagist.valid(b));
    expect(valid.length).toBeGreaterThan(3500);
    const script = 'while (($l = fgets(STDIN)) !== false) { [$a, $b] = explode("\\t", rtrim($l, "\\n"), 2); echo version_compare($a, $b), "\\n"; }';
    const out = await runNative("php", ["-r", script], valid.map(([a, b]) => `${a}\t${b}`));
    const bad = valid.flatMap(([a, b], i) => (sym(packagist.compare(a, b)) === sym(Number(out[i])) ? [] : [`${a} ${sym(Number(out[i]))} ${b} (ours ${sym(packagist.compare(a, b))})`]));
    expect(bad).toEqual([]);
  });
});
