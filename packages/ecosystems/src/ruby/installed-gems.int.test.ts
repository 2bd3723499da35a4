import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { FileCataloger } from "../types.js";
import { layerFileFrom, parseWith } from "../npm/testing.js";
import { rubyCataloger } from "./index.js";

const ruby: FileCataloger = rubyCataloger;

/**
 * Every gemspec RubyGems itself loads on this machine (Debian's ruby: default gems, bundled
 * gems, rubygems-integration packages), read as text by the cataloger and evaluated by Ruby:
 * name and version must agree file by file.
 */
describe("rubygems: installed gemspecs vs RubyGems", () => {
  it("reads every installed gemspec as RubyGems does", async () => {
    const out = execFileSync("ruby", ["-e", 'Gem::Specification.each { |s| puts "#{s.name}@#{s.version}\\t#{s.loaded_from}" }']).toString("utf8");
    const specs = out.trim().split("\n").map((l) => l.split("\t") as [string, string]).filter(([, f]) => f.endsWith(".gemspec"));
    expect(specs.length).toBeGreaterThan(10);
    for (const [want, file] of specs) {
      expect(ruby.wants(file, { size: 1, mode: 0o644 }), file).toBe(true);
      const pkgs = await parseWith(ruby, layerFileFrom(file, file));
      expect(pkgs.map((p) => `${p.name}@${p.version}`), file).toEqual([want]);
    }
  });
});
