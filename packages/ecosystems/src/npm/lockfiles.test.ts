import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isLookoutError } from "@lookout/domain";
import { npmCataloger } from "./index.js";
import { layerFileFrom, parseWith, recordingContext, tempLayerFile, testdata } from "./testing.js";

function trivyExpected(dir: string): string[] {
  const doc = JSON.parse(readFileSync(testdata(`npm/${dir}/expected.trivy.json`), "utf8")) as {
    packages: { name: string; version: string }[];
  };
  // Lookout skips versionless entries (a workspace link without a version matches no advisory).
  return doc.packages.filter((p) => p.version !== "").map((p) => `${p.name}@${p.version}`).sort();
}

async function parse(rel: string, imagePath: string) {
  return parseWith(npmCataloger, layerFileFrom(testdata(rel), imagePath), recordingContext());
}

describe("npm lockfiles", () => {
  it.each(["package-lock-v1", "package-lock-v2", "package-lock-v3", "package-lock-v3-workspace"])(
    "%s gives trivy's package list",
    async (dir) => {
      const pkgs = await parse(`npm/${dir}/package-lock.json`, "/app/package-lock.json");
      expect(pkgs.map((p) => `${p.name}@${p.version}`).sort()).toEqual(trivyExpected(dir));
      for (const p of pkgs) {
        expect(p).toMatchObject({ type: "npm", ecosystem: "npm", path: "/app/package-lock.json" });
        expect(p.meta?.source).toBe("lockfile");
      }
    },
  );

  it("flags dev-only packages and encodes scoped purls", async () => {
    const pkgs = await parse("npm/package-lock-v3/package-lock.json", "/app/package-lock.json");
    const dev = pkgs.filter((p) => p.meta?.dev === "true").map((p) => `${p.name}@${p.version}`).sort();
    expect(dev).toEqual(["debug@2.5.2", "ms@0.7.2"]);
    expect(pkgs.find((p) => p.name === "@babel/helper-string-parser")?.purl).toBe("pkg:npm/%40babel/helper-string-parser@7.19.4");
  });

  it("resolves workspace links to their target's version and license", async () => {
    const pkgs = await parse("npm/package-lock-v3-workspace/package-lock.json", "/w/package-lock.json");
    expect(pkgs.find((p) => p.name === "nested_func")).toMatchObject({ version: "1.0.0", licenses: ["ISC"] });
  });

  // Keys and expectations: trivy's pnpm parser tests (pnpmNormal / pnpmV6 list asap, jquery, promise).
  it.each(["pnpm-v5", "pnpm-v6"])("%s", async (dir) => {
    const pkgs = await parse(`npm/${dir}/pnpm-lock.yaml`, "/app/pnpm-lock.yaml");
    expect(pkgs.map((p) => `${p.name}@${p.version}`).sort()).toEqual(["asap@2.0.6", "jquery@3.6.0", "promise@8.1.0"]);
  });

  it("pnpm v9: tarball and file: entries use their version field, directory deps are skipped", async () => {
    const pkgs = await parse("npm/pnpm-v9/pnpm-lock.yaml", "/app/pnpm-lock.yaml");
    expect(pkgs.map((p) => `${p.name}@${p.version}`).sort()).toEqual([
      "@babel/helper-string-parser@7.24.1", "asap@2.0.6", "asynckit@0.4.0", "await-sleep@0.0.1",
      "debug@4.3.4", "debug@4.3.5", "ee-first@1.1.1", "encodeurl@1.0.2", "escape-html@1.0.3",
      "finalhandler@1.1.1", "is-negative@2.0.1", "jquery@3.6.0", "lodash@4.17.21", "ms@2.0.0",
      "ms@2.1.2", "on-finished@2.3.0", "parseurl@1.3.3", "promise@8.1.0", "sleep-utils@1.0.3",
      "statuses@1.4.0", "unpipe@1.0.0",
    ]);
  });

  it("pnpm v9 with a package-manager document first: the project document counts", async () => {
    const pkgs = await parse("npm/pnpm-v9-multidoc/pnpm-lock.yaml", "/app/pnpm-lock.yaml");
    expect(pkgs.map((p) => `${p.name}@${p.version}`).sort()).toEqual([
      "is-buffer@1.1.6", "is-even@1.0.0", "is-number@3.0.0", "is-odd@0.1.2", "kind-of@3.2.2", "left-pad@1.3.0",
    ]);
  });

  // Every block of the file, one per resolved name@version (multi-descriptor headers collapse).
  it("yarn.lock v1", async () => {
    const pkgs = await parse("npm/yarn-v1/yarn.lock", "/app/yarn.lock");
    expect(pkgs.map((p) => `${p.name}@${p.version}`).sort()).toEqual([
      "@babel/helper-regex@7.4.4", "ansi-regex@2.1.1", "ansi-regex@3.0.0", "asap@2.0.6", "inherits@2.0.3",
      "is-fullwidth-code-point@2.0.0", "jquery@3.4.1", "js-tokens@4.0.0", "lodash@4.17.11", "promise@8.0.3",
      "safe-buffer@5.1.2", "safer-buffer@2.1.2", "statuses@1.5.0", "string-width@2.1.1", "strip-ansi@3.0.1",
      "strip-ansi@4.0.0", "whatwg-fetch@3.0.0", "wide-align@1.1.3",
    ]);
  });

  it("yarn.lock berry: skips the workspace, keeps patched packages by resolution", async () => {
    const pkgs = await parse("npm/yarn-berry/yarn.lock", "/app/yarn.lock");
    expect(pkgs.map((p) => `${p.name}@${p.version}`).sort()).toEqual([
      "@types/color-name@1.1.1", "abbrev@1.1.1", "ansi-styles@3.2.1", "ansi-styles@4.2.1", "assert-plus@1.0.0",
      "async@3.2.0", "color-convert@1.9.3", "color-convert@2.0.1", "color-name@1.1.3", "color-name@1.1.4",
      "fsevents@2.1.3", "ipaddr.js@1.9.1", "js-tokens@4.0.0", "loose-envify@1.4.0", "node-gyp@7.1.0",
      "once@1.4.0", "wrappy@1.0.2",
    ]);
  });

  it.each([
    ["/app/package-lock.json", "{\"lockfileVersion\": 3, \"packages\": "],
    ["/app/pnpm-lock.yaml", "packages: [unterminated"],
    // "Billion laughs": each level doubles; the alias cap refuses to expand it.
    ["/app/pnpm-lock.yaml", ["lockfileVersion: '9.0'", "a: &a [x, x]", ...Array.from({ length: 30 }, (_, i) => `${String.fromCharCode(98 + (i % 24))}${i}: &l${i} [${i === 0 ? "*a, *a" : `*l${i - 1}, *l${i - 1}`}]`)].join("\n")],
    ["/app/yarn.lock", Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3])],
  ])("garbage in %s is a typed error", async (path, content) => {
    const file = await tempLayerFile(content, path);
    const err: unknown = await parseWith(npmCataloger, file, recordingContext()).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_PACKAGE_DB_INVALID")).toBe(true);
  });
});
