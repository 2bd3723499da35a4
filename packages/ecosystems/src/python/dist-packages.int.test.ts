import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { FileCataloger } from "../types.js";
import { layerFileFrom, parseWith } from "../npm/testing.js";
import { pythonCataloger } from "./index.js";

const python: FileCataloger = pythonCataloger;
const DIST = "/usr/lib/python3/dist-packages";

/**
 * Debian's installed Python distributions (python3-apt, python3-rpm, python3-packaging and
 * their dependencies, from .ci/apt-packages.txt), read by the cataloger and by Python's own
 * importlib.metadata over the same directory: both must list the same name@version pairs.
 */
describe("python: Debian dist-packages vs importlib.metadata", () => {
  it("lists the same distributions", async () => {
    const ours: string[] = [];
    for (const entry of readdirSync(DIST)) {
      if (!/\.(dist-info|egg-info)$/.test(entry)) continue;
      const dir = join(DIST, entry);
      const file = statSync(dir).isDirectory() ? join(dir, entry.endsWith(".dist-info") ? "METADATA" : "PKG-INFO") : dir;
      const imagePath = file;
      expect(python.wants(imagePath, { size: 1, mode: 0o644 })).toBe(true);
      for (const p of await parseWith(python, layerFileFrom(file, imagePath))) ours.push(`${p.name}@${p.version}`);
    }
    const script = `import importlib.metadata as m\nfor d in m.distributions(path=["${DIST}"]): print(d.metadata["Name"] + "@" + d.version)`;
    const theirs = execFileSync("/usr/bin/python3", ["-c", script]).toString("utf8").trim().split("\n");
    expect(ours.length).toBeGreaterThan(3);
    expect(ours.sort()).toEqual(theirs.sort());
  });
});
