import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isLookoutError } from "@lookout/domain";
import type { FileCataloger } from "../types.js";
import { layerFileFrom, parseWith, tempLayerFile, testdata } from "../npm/testing.js";
import { rubyCataloger } from "./index.js";

const ruby: FileCataloger = rubyCataloger;
const GEMS = "/usr/local/bundle/specifications";

function trivy(rel: string): { name: string; version: string; licenses?: string[] }[] {
  return (JSON.parse(readFileSync(testdata(`ruby/${rel}`), "utf8")) as { packages: never[] }).packages;
}

describe("rubygems gemspec", () => {
  it.each(["license", "multiple_licenses", "normal00"])("%s.gemspec matches trivy", async (name) => {
    const path = `${GEMS}/${name}.gemspec`;
    expect(ruby.wants(path, { size: 1, mode: 0o644 })).toBe(true);
    const pkgs = await parseWith(ruby, layerFileFrom(testdata(`ruby/specifications/${name}.gemspec`), path));
    const [want] = trivy(`specifications/${name}.expected.trivy.json`);
    expect(pkgs).toEqual([
      { type: "rubygems", ecosystem: "RubyGems", name: want?.name, version: want?.version, licenses: want?.licenses, path, purl: `pkg:gem/${want?.name}@${want?.version}` },
    ]);
  });

  it.each([
    ["specifications/bundler.gemspec", "bundler", "2.1.4", ["MIT"]],
    ["specifications/formatador.gemspec", "formatador", "1.1.0", ["MIT"]],
    // Debian bookworm: ruby-webrick, and libruby3.1's bundled and default gems.
    ["debian/webrick-1.8.1.gemspec", "webrick", "1.8.1", ["Ruby", "BSD-2-Clause"]],
    ["debian/rexml-3.2.5.gemspec", "rexml", "3.2.5", ["BSD-2-Clause"]],
    ["debian/net-http-0.2.0.gemspec", "net-http", "0.2.0", ["Ruby", "BSD-2-Clause"]],
  ])("%s", async (rel, name, version, licenses) => {
    const pkgs = await parseWith(ruby, layerFileFrom(testdata(`ruby/${rel}`), `/usr/lib/ruby/gems/3.1.0/specifications/default/${name}.gemspec`));
    expect(pkgs.map((p) => [p.name, p.version, p.licenses])).toEqual([[name, version, licenses]]);
  });

  it("a gemspec without name/version assignments is a typed error", async () => {
    const file = await tempLayerFile(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0, 1, 2]), `${GEMS}/evil.gemspec`);
    const err: unknown = await parseWith(ruby, file).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_PACKAGE_DB_INVALID")).toBe(true);
  });
});

describe("Gemfile.lock", () => {
  it.each(["bundler-normal", "bundler2"])("%s matches trivy", async (dir) => {
    const pkgs = await parseWith(ruby, layerFileFrom(testdata(`ruby/${dir}/Gemfile.lock`), "/app/Gemfile.lock"));
    expect(pkgs.map((p) => `${p.name}@${p.version}`).sort()).toEqual(trivy(`${dir}/expected.trivy.json`).map((p) => `${p.name}@${p.version}`).sort());
    expect(pkgs.every((p) => p.meta?.source === "lockfile")).toBe(true);
  });

  it("reads GEM and GIT specs, skips PATH (local) and unknown sections", async () => {
    const pkgs = await parseWith(ruby, layerFileFrom(testdata("ruby/bundler-syft/Gemfile.lock"), "/app/Gemfile.lock"));
    const names = pkgs.map((p) => p.name);
    expect(names).toContain("turbolinks");
    expect(names).toContain("unicorn");
    expect(names).not.toContain("google-cloud-errors");
    expect(names).not.toContain("bad-entry");
    expect(pkgs).toHaveLength(51);
  });

  it("splits a native platform off the version", async () => {
    const file = await tempLayerFile("GEM\n  remote: https://rubygems.org/\n  specs:\n    nokogiri (1.13.6-x86_64-linux)\n      racc (~> 1.4)\n", "/app/Gemfile.lock");
    const pkgs = await parseWith(ruby, file);
    expect(pkgs.map((p) => [p.name, p.version, p.purl])).toEqual([["nokogiri", "1.13.6", "pkg:gem/nokogiri@1.13.6?platform=x86_64-linux"]]);
  });
});
