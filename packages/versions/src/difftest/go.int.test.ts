import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { go } from "../go.js";
import { mutateWith, pairs, Rng } from "./gen.js";
import { runNative, sym } from "./native.js";

// Debian's golang-go + golang-golang-x-mod-dev, run in GOPATH mode (no network, no module proxy).
const GOPATH = "/usr/share/gocode";
const dir = mkdtempSync(join(tmpdir(), "lookout-versions-go-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Module versions: shorthands, pre-releases with numeric/alpha/leading-zero identifiers,
// pseudo-versions, +incompatible and other build metadata.
function genGo(rng: Rng): string {
  const n = ["0", "1", "2", "10", "01", "99999999999999999999999"];
  let s = `v${rng.pick(n)}`;
  if (rng.chance(0.85)) s += `.${rng.pick(n)}`;
  if (rng.chance(0.85)) {
    s += `.${rng.pick(n)}`;
    if (rng.chance(0.5)) {
      const ids = ["alpha", "beta", "rc", "0", "1", "11", "01", "pre", "0.20191109021931-daa7c04131f5", "20191109021931-daa7c04131f5", "x-y", "A"];
      s += `-${rng.pick(ids)}`;
      for (let i = rng.int(3); i > 0; i--) s += `.${rng.pick(ids)}`;
    }
    if (rng.chance(0.2)) s += `+${rng.pick(["incompatible", "meta", "001", "a.b"])}`;
  }
  return s;
}

describe("Go differential", () => {
  it("matches golang.org/x/mod/semver (IsValid, Compare, and our sort keys) on 4000 generated pairs", async () => {
    const src = join(dir, "main.go");
    copyFileSync(fileURLToPath(new URL("./gosemver.go.txt", import.meta.url)), src);
    const rng = new Rng(0x5eed_0801);
    const ps = pairs(rng, 4000, () => genGo(rng), mutateWith(rng, "019.-+av"));
    // We accept OSV's v-less spelling by adding the "v"; Go sees the same normalised strings.
    const withV = (v: string): string => (v.startsWith("v") ? v : `v${v}`);
    const lines = ps.map(([a, b]) => `${withV(a)}\t${withV(b)}`);
    const script = `cd "$1" && GO111MODULE=off GOENV=off GOPATH=${GOPATH} GOCACHE="$1/cache" GOFLAGS= go run main.go`;
    const out = await runNative("sh", ["-c", script, "sh", dir], lines, 180_000);
    expect(out).toHaveLength(ps.length);
    let compared = 0;
    const bad = ps.flatMap(([a, b], i) => {
      const [va, vb, c] = (out[i] as string).split(" ");
      if ((va === "true") !== go.valid(a) || (vb === "true") !== go.valid(b)) return [`validity ${a} ${b}: go ${va} ${vb}`];
      if (va !== "true" || vb !== "true") return [];
      compared++;
      const [x, y] = [go.sortKey(a), go.sortKey(b)];
      const byKey = x === undefined || y === undefined ? sym(Number(c)) : x < y ? "<" : x > y ? ">" : "=";
      return sym(go.compare(a, b)) === sym(Number(c)) && byKey === sym(Number(c)) ? [] : [`${a} ${sym(Number(c))} ${b} (ours ${sym(go.compare(a, b))}, keys ${byKey})`];
    });
    expect(bad).toEqual([]);
    expect(compared).toBeGreaterThan(1000);
  });
});
