import semverLib from "semver";
import { describe, expect, it } from "vitest";
import { npm } from "../npm.js";
import { mutateWith, pairs, Rng } from "./gen.js";

const NUM = ["0", "1", "2", "9", "10", "01", "00", "9007199254740991", "9007199254740992"];
const PRE = ["alpha", "beta", "rc", "0", "1", "10", "01", "x-y", "-", "a1", "1a", "A", "Z", "9007199254740993"];

function genSemver(rng: Rng): string {
  let s = rng.chance(0.1) ? rng.pick(["v", "=", " ", "v ", "V"]) : "";
  s += `${rng.pick(NUM)}.${rng.pick(NUM)}.${rng.pick(NUM)}`;
  if (rng.chance(0.05)) s += `.${rng.pick(NUM)}`;
  if (rng.chance(0.5)) {
    s += `-${rng.pick(PRE)}`;
    for (let i = rng.int(3); i > 0; i--) s += `.${rng.pick(PRE)}`;
  }
  if (rng.chance(0.2)) s += `+${rng.pick(["build", "001", "x.y", "a-b", "sha.5114f85"])}`;
  if (rng.chance(0.05)) s += " ";
  return s;
}

describe("npm differential (node-semver, in-process)", () => {
  it("agrees with semver.valid and semver.compare on 5000 generated pairs", () => {
    const rng = new Rng(0x5eed_0301);
    const ps = pairs(rng, 5000, () => genSemver(rng), mutateWith(rng, "0129.-+avx"));
    let errors = 0;
    const bad: string[] = [];
    for (const [a, b] of ps) {
      const theirsValid = semverLib.valid(a) !== null && semverLib.valid(b) !== null;
      if (theirsValid !== (npm.valid(a) && npm.valid(b))) {
        bad.push(`validity ${JSON.stringify(a)} ${JSON.stringify(b)}`);
        continue;
      }
      if (!theirsValid) {
        errors++;
        expect(() => npm.compare(a, b)).toThrow(expect.objectContaining({ code: "LKT_ERR_VERSION_INVALID" }));
        continue;
      }
      if (npm.compare(a, b) !== semverLib.compare(a, b)) bad.push(`${a} ${b}: semver ${semverLib.compare(a, b)}`);
    }
    expect(bad).toEqual([]);
    expect(errors).toBeGreaterThan(100);
  });

  it("gives sort keys whose byte order equals semver order", () => {
    const rng = new Rng(0x5eed_0302);
    const vs = Array.from({ length: 3000 }, () => genSemver(rng)).filter((v) => npm.sortKey(v) !== undefined);
    expect(vs.length).toBeGreaterThan(500);
    const byKey = [...vs].sort((x, y) => {
      const kx = npm.sortKey(x) as string;
      const ky = npm.sortKey(y) as string;
      return kx < ky ? -1 : kx > ky ? 1 : 0;
    });
    for (let i = 1; i < byKey.length; i++) {
      const [x, y] = [byKey[i - 1] as string, byKey[i] as string];
      expect(semverLib.compare(x, y), `${x} then ${y}`).toBeLessThanOrEqual(0);
      if (npm.sortKey(x) === npm.sortKey(y)) expect(semverLib.compare(x, y)).toBe(0);
    }
  });
});
