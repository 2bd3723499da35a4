import { describe, it } from "vitest";
import { maven } from "./maven.js";
import { packagist } from "./packagist.js";
import { pep440 } from "./pep440.js";
import { rubygems } from "./rubygems.js";
import { expectInvalid, expectOrder } from "./test-helpers.js";

describe("PyPI (PEP 440)", () => {
  it("orders dev < pre < release < post, epochs, locals, and normalises spellings", () => {
    expectOrder(pep440, [
      ["1.0.dev0", "<", "1.0a0"],
      ["1.0a0", "<", "1.0a1.dev0"],
      ["1.0a1.dev0", "<", "1.0a1"],
      ["1.0a1", "<", "1.0a1.post0"],
      ["1.0a1.post0", "<", "1.0b0"],
      ["1.0b0", "<", "1.0rc0"],
      ["1.0rc0", "<", "1.0"],
      ["1.0", "<", "1.0+local"],
      ["1.0+local", "<", "1.0.post0.dev0"],
      ["1.0.post0.dev0", "<", "1.0.post0"],
      ["1.0.post0", "<", "1.1"],
      ["1!0.1", ">", "2.0"],
      ["1.0", "=", "1.0.0.0"],
      ["1.0.0", "=", "v1.0"],
      ["1.0ALPHA1", "=", "1.0a1"],
      ["1.0-c1", "=", "1.0rc1"],
      ["1.0.preview.2", "=", "1.0rc2"],
      ["1.0-1", "=", "1.0.post1"],
      ["1.0.rev", "=", "1.0.post0"],
      ["1.0-dev", "=", "1.0.dev0"],
      ["1.0.post-dev", "=", "1.0.post0.dev0"],
      ["1.0+abc.5", ">", "1.0+abc.4"],
      ["1.0+5", ">", "1.0+abc"], // numeric local segments beat strings
      ["1.0+abc", "<", "1.0+abc.0"],
      ["1.0+ABC-1", "=", "1.0+abc.1"],
      [" 1.0 ", "=", "1.0"],
      ["1.0.0001", "=", "1.0.1"],
    ]);
  });
  it("refuses what packaging.version.Version refuses (no LegacyVersion)", () => {
    expectInvalid(pep440, ["", "foo", "1.0-bulbasaur", "1.0+", "1..0", "1.0a1b1", "1.0+a..b", "1.0.dev.post", "1.0-", "1!", "-1.0"]);
  });
});

describe("Maven (ComparableVersion)", () => {
  it("orders qualifiers alpha < beta < milestone < rc < snapshot < release < sp < unknown", () => {
    expectOrder(maven, [
      ["1-alpha", "<", "1-beta"],
      ["1-beta", "<", "1-milestone"],
      ["1-milestone", "<", "1-rc"],
      ["1-rc", "=", "1-cr"],
      ["1-rc", "<", "1-snapshot"],
      ["1-snapshot", "<", "1"],
      ["1", "=", "1-ga"],
      ["1", "=", "1.final"],
      ["1", "=", "1-RELEASE"],
      ["1", "<", "1-sp"],
      ["1-sp", "<", "1-abc"],
      ["1-abc", "<", "1-xyz"],
      ["1-xyz", "<", "1-1"],
      ["1-1", "<", "1.1"],
      ["1a1", "=", "1-alpha-1"],
      ["1m3", "=", "1-milestone-3"],
      ["1.0.0.RC1", "<", "1.0.0-RC2"], // MNG-7644
      ["2.0.a", "=", "2.0.0.a"],
      ["1.0-alpha-1.0", "=", "1.0-alpha-1"],
      ["12345678901234567890.1", ">", "2147483648.1"],
      ["1.0", "=", "1.0.0-0.0"],
    ]);
  });
  it("refuses empty and whitespace-carrying strings", () => {
    expectInvalid(maven, ["", " 1.0", "1.0 ", "1\t0", "1.0\n"]);
  });
});

describe("RubyGems (Gem::Version)", () => {
  it("orders prereleases (any letter) before releases and drops trailing zeros", () => {
    expectOrder(rubygems, [
      ["1.0.a", "<", "1.0"],
      ["1.0.a", "<", "1.0.b"],
      ["1.0.rc1", "<", "1.0"],
      ["1.0", "=", "1.0.0"],
      ["1.0.0.a", "=", "1.0.a"],
      ["1.0-1", "<", "1.0"], // "-" means ".pre."
      ["1.0-1", "=", "1.0.pre.1"],
      ["1.10", ">", "1.9"],
      ["1.a.0", "=", "1.a"],
      ["1.0.B", "<", "1.0.a"], // byte order
      [" 1.0 ", "=", "1.0"],
    ]);
  });
  it("refuses malformed version strings", () => {
    expectInvalid(rubygems, ["", "  ", "a", "1..0", "1.0-", "1beta", "1.0 .1", ".1", "1.0+x"]);
  });
});

describe("Packagist (PHP version_compare)", () => {
  it("orders dev < alpha < beta < RC < release < patch and numbers any size", () => {
    expectOrder(packagist, [
      ["1.0-dev", "<", "1.0-alpha1"],
      ["1.0-alpha1", "<", "1.0-beta1"],
      ["1.0-beta1", "<", "1.0-RC1"],
      ["1.0-RC1", "=", "1.0rc1"],
      ["1.0-RC1", "<", "1.0"],
      ["1.0", "<", "1.0-pl1"],
      ["1.0-p1", "=", "1.0-patch1"], // "patch" matches the "p" special form
      ["v1.0.0", "=", "1.0.0"],
      ["1.0.0", ">", "1.0"], // version_compare does not pad
      ["dev-master", "<", "0.1"],
      ["1.0.0-beta2.1", "=", "1.0.0-b.2.1"],
      ["99999999999999999999.0", ">", "9999999999999999999.0"],
    ]);
  });
  it("refuses strings that are no Composer version", () => {
    expectInvalid(packagist, ["", "v", "1.0 beta", "1.2.3.#", ".1", "-1", "1.0@dev"]);
  });
});
