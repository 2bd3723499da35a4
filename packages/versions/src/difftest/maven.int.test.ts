import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { maven } from "../maven.js";
import { mutateWith, pairs, Rng } from "./gen.js";
import { runNative, sym } from "./native.js";

const JAR = "/usr/share/java/maven-artifact-3.x.jar"; // Debian libmaven3-core-java (3.8.7)
const CMP = fileURLToPath(new URL("./Cmp.java", import.meta.url));

// Maven versions mixing "." and "-", digit/letter transitions, every known qualifier and its
// aliases (case-insensitive), unknown qualifiers, zeros that normalise away, big numbers.
function genMaven(rng: Rng): string {
  const tok = ["0", "1", "2", "10", "01", "00", "a", "b", "m", "alpha", "beta", "milestone", "rc", "cr", "snapshot", "SNAPSHOT", "ga", "final", "release", "sp", "xyz", "abc", "RC", "Final", "2147483648", "99999999999999999999"];
  let s = rng.pick(["0", "1", "2", "10"]);
  for (let i = rng.int(5); i > 0; i--) s += (rng.chance(0.2) ? "" : rng.pick([".", "-", "-", "."])) + rng.pick(tok);
  return s;
}

describe("Maven differential", () => {
  it("matches org.apache.maven.artifact.versioning.ComparableVersion on 4000 generated pairs", async () => {
    const rng = new Rng(0x5eed_0501);
    const ps = pairs(rng, 4000, () => genMaven(rng), mutateWith(rng, "019.-abm"));
    const out = await runNative("java", ["-cp", JAR, CMP], ps.map(([a, b]) => `${a}\t${b}`), 120_000);
    const bad = ps.flatMap(([a, b], i) => (sym(maven.compare(a, b)) === sym(Number(out[i])) ? [] : [`${a} ${sym(Number(out[i]))} ${b} (ours ${sym(maven.compare(a, b))})`]));
    expect(bad).toEqual([]);
  });
});
