import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isLookoutError } from "@lookout/domain";
import type { FileCataloger } from "../types.js";
import { layerFileFrom, parseWith, tempLayerFile, testdata } from "../npm/testing.js";
import { phpCataloger } from "./index.js";

const php: FileCataloger = phpCataloger;

describe("composer", () => {
  it("composer.lock matches trivy (packages and packages-dev, licenses split on 'or')", async () => {
    const pkgs = await parseWith(php, layerFileFrom(testdata("php/composer-trivy/composer.lock"), "/app/composer.lock"));
    const want = (JSON.parse(readFileSync(testdata("php/composer-trivy/expected.trivy.json"), "utf8")) as { packages: { name: string; version: string; licenses: string[] }[] }).packages;
    expect(pkgs.map((p) => [p.name, p.version, p.licenses]).sort()).toEqual(want.map((p) => [p.name, p.version, p.licenses]).sort());
    expect(pkgs.filter((p) => p.meta?.dev === "true").map((p) => p.name)).toEqual(["pear/log", "pear/pear_exception"]);
    expect(pkgs.find((p) => p.name === "symfony/polyfill-php72")?.purl).toBe("pkg:composer/symfony/polyfill-php72@v1.27.0");
  });

  it("composer.lock from syft: prod and dev packages", async () => {
    const pkgs = await parseWith(php, layerFileFrom(testdata("php/composer-syft/composer.lock"), "/app/composer.lock"));
    expect(pkgs.map((p) => `${p.name}@${p.version}${p.meta?.dev ? " dev" : ""}`)).toEqual([
      "adoy/fastcgi-client@1.0.2", "alcaeus/mongo-php-adapter@1.1.11", "behat/gherkin@v4.6.2 dev", "codeception/codeception@4.1.6 dev",
    ]);
  });

  it.each([
    ["php/vendor-composer1/vendor/composer/installed.json", ["asm89/stack-cors@1.3.0", "behat/mink@v1.8.1"]],
    // Composer 2 lists behat/mink under dev-package-names.
    ["php/vendor-composer2/vendor/composer/installed.json", ["asm89/stack-cors@1.3.0", "behat/mink@v1.8.1 dev"]],
  ])("%s", async (rel, want) => {
    const path = "/var/www/vendor/composer/installed.json";
    expect(php.wants(path, { size: 1, mode: 0o644 })).toBe(true);
    const pkgs = await parseWith(php, layerFileFrom(testdata(rel), path));
    expect(pkgs.map((p) => `${p.name}@${p.version}${p.meta?.dev ? " dev" : ""}`)).toEqual(want);
    expect(pkgs.every((p) => p.ecosystem === "Packagist" && p.licenses?.[0] === "MIT")).toBe(true);
  });

  it("garbage is a typed error; wants skips lockfiles inside vendor/", async () => {
    const err: unknown = await parseWith(php, await tempLayerFile(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0]), "/app/composer.lock")).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_PACKAGE_DB_INVALID")).toBe(true);
    expect(php.wants("/app/vendor/foo/bar/composer.lock", { size: 1, mode: 0o644 })).toBe(false);
  });
});
