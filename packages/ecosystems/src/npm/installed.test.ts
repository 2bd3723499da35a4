import { describe, expect, it } from "vitest";
import { isLookoutError } from "@lookout/domain";
import type { FileCataloger } from "../types.js";
import { coalesceNpm, npmCataloger } from "./index.js";
import { npmPackage } from "./package.js";
import { PACKAGE_JSON_MAX_BYTES } from "./parse-package-json.js";
import { layerFileFrom, parseWith, recordingContext, tempLayerFile, testdata } from "./testing.js";

const ctx = recordingContext();

describe("npm installed package.json", () => {
  it.each([
    ["installed/@actions/core/package.json", "/app/node_modules/@actions/core/package.json", "@actions/core", "1.6.0", ["MIT"], "pkg:npm/%40actions/core@1.6.0"],
    ["installed/cowsay/package.json", "/app/node_modules/cowsay/package.json", "cowsay", "1.4.0", ["MIT"], "pkg:npm/cowsay@1.4.0"],
    // legacy {type, url} license object (trivy legacy_package.json)
    ["installed/legacy-license-object-package.json", "/app/node_modules/angular/package.json", "angular", "4.1.2", ["ISC"], "pkg:npm/angular@4.1.2"],
    // `licenses: [{type}, {type}]` (syft package-license-objects.json)
    ["installed/license-objects-package.json", "/usr/lib/node_modules/npm/package.json", "npm", "6.14.6", ["MIT", "Apache-2.0"], "pkg:npm/npm@6.14.6"],
    ["installed/syft-package.json", "/usr/lib/node_modules/npm/package.json", "npm", "6.14.6", ["Artistic-2.0"], "pkg:npm/npm@6.14.6"],
    ["installed/trivy-package.json", "/srv/node_modules/bootstrap/package.json", "bootstrap", "5.0.2", ["MIT"], "pkg:npm/bootstrap@5.0.2"],
  ])("%s", async (rel, path, name, version, licenses, purl) => {
    const pkgs = await parseWith(npmCataloger, layerFileFrom(testdata(`npm/${rel}`), path), ctx);
    expect(pkgs).toEqual([{ type: "npm", ecosystem: "npm", name, version, licenses, purl, path }]);
  });

  it("skips a private package without a version", async () => {
    const file = await tempLayerFile('{"name":"app","private":true}', "/app/node_modules/app/package.json");
    expect(await parseWith(npmCataloger, file, ctx)).toEqual([]);
  });

  it("binary garbage named package.json is a typed error, not a crash", async () => {
    const file = await tempLayerFile(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]), "/app/node_modules/x/package.json");
    const err: unknown = await parseWith(npmCataloger, file, ctx).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_PACKAGE_DB_INVALID")).toBe(true);
  });

  it("a package.json over the cap is refused before it is read", async () => {
    // One byte over the cap: read(maxBytes) must reject instead of buffering it.
    const file = await tempLayerFile(Buffer.alloc(PACKAGE_JSON_MAX_BYTES + 1, 0x20), "/app/node_modules/big/package.json");
    const err: unknown = await parseWith(npmCataloger, file, ctx).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_LAYER_LIMIT")).toBe(true);
  });
});

describe("npm wants", () => {
  it.each([
    ["/app/node_modules/express/package.json", true],
    ["/app/node_modules/@types/node/package.json", true],
    ["/app/node_modules/.pnpm/a@1.0.0/node_modules/a/package.json", true],
    ["/app/node_modules/express/lib/package.json", false],
    ["/app/node_modules/.bin/package.json", false],
    ["/app/package.json", false],
    ["/app/package-lock.json", true],
    ["/app/npm-shrinkwrap.json", true],
    ["/app/pnpm-lock.yaml", true],
    ["/app/yarn.lock", true],
    ["/app/node_modules/some-lib/yarn.lock", false],
    ["/app/node_modules/some-lib/package-lock.json", false],
    ["/app/yarn.lock.bak", false],
  ])("%s → %s", (path, want) => {
    const cataloger: FileCataloger = npmCataloger;
    expect(cataloger.wants(path, { size: 100, mode: 0o644 })).toBe(want);
  });
});

describe("coalesceNpm", () => {
  const lock = (name: string, path: string) => npmPackage(name, "1.0.0", path, { meta: { source: "lockfile" } });
  it("drops lockfile packages only where an installed tree exists next to the lockfile", () => {
    const installed = npmPackage("a", "1.0.0", "/app/node_modules/a/package.json");
    const nested = npmPackage("b", "2.0.0", "/app/node_modules/a/node_modules/b/package.json");
    const kept = lock("c", "/other/package-lock.json");
    const dropped = lock("a", "/app/package-lock.json");
    const dpkg = { ...installed, type: "dpkg", path: "/app/package-lock.json", meta: { source: "lockfile" } };
    expect(coalesceNpm([installed, nested, kept, dropped, dpkg])).toEqual([installed, nested, kept, dpkg]);
  });

  it("keeps all lockfile packages when nothing is installed", () => {
    const pkgs = [lock("a", "/app/yarn.lock"), lock("b", "/app/pnpm-lock.yaml")];
    expect(coalesceNpm(pkgs)).toEqual(pkgs);
  });
});
