import { describe, expect, it } from "vitest";
import { schemeFor, supportedEcosystems } from "./registry.js";

describe("schemeFor", () => {
  it.each([
    ["Debian", "dpkg"],
    ["Debian:12", "dpkg"],
    ["Ubuntu:22.04:LTS", "dpkg"],
    ["Ubuntu:Pro:16.04:LTS", "dpkg"],
    ["Alpine:v3.19", "apk"],
    ["Wolfi", "apk"],
    ["Chainguard", "apk"],
    ["Red Hat:enterprise_linux:9", "rpm"],
    ["Rocky Linux:9", "rpm"],
    ["AlmaLinux:8", "rpm"],
    ["SUSE:Linux Enterprise Server 15 SP5", "rpm"],
    ["openSUSE:Tumbleweed", "rpm"],
    ["Amazon Linux:2023", "rpm"],
    ["Bitnami", "semver"],
    ["npm", "npm"],
    ["PyPI", "pep440"],
    ["Go", "go"],
    ["Maven", "maven"],
    ["RubyGems", "rubygems"],
    ["crates.io", "crates"],
    ["Packagist", "packagist"],
    ["NuGet", "nuget"],
  ])("%s → %s", (ecosystem, name) => {
    expect(schemeFor(ecosystem).name).toBe(name);
  });

  it("lists the twenty OSV ecosystems it accepts", () => {
    expect(supportedEcosystems()).toHaveLength(20);
  });

  it.each(["", "debian", "Hackage", "toString", "constructor", "__proto__", ":Debian"])("refuses %j with LKT_ERR_ECOSYSTEM_UNSUPPORTED", (e) => {
    expect(() => schemeFor(e)).toThrow(expect.objectContaining({ code: "LKT_ERR_ECOSYSTEM_UNSUPPORTED" }));
  });
});
