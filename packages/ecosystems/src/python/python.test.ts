import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isLookoutError } from "@lookout/domain";
import type { FileCataloger } from "../types.js";
import { layerFileFrom, parseWith, tempLayerFile, testdata } from "../npm/testing.js";
import { pythonCataloger } from "./index.js";

const cataloger: FileCataloger = pythonCataloger;
const SP = "/usr/local/lib/python3.11/site-packages";

function trivy(rel: string): { name: string; version: string; licenses?: string[]; dev?: boolean }[] {
  return (JSON.parse(readFileSync(testdata(`python/${rel}`), "utf8")) as { packages: never[] }).packages;
}

describe("python installed metadata", () => {
  // Expectations from trivy's packaging parser tests, except: trivy reports the literal
  // "UNKNOWN" and "file://LICENSE.txt" as licenses; Lookout drops both (not license names).
  it.each([
    ["dist-info/asyncssh-2.14.2.dist-info/METADATA", `${SP}/asyncssh-2.14.2.dist-info/METADATA`, "dist-info/asyncssh-2.14.2.dist-info/expected.trivy.json"],
    ["dist-info/iniconfig-2.0.0.dist-info/METADATA", `${SP}/iniconfig-2.0.0.dist-info/METADATA`, "dist-info/iniconfig-2.0.0.dist-info/expected.trivy.json"],
    ["dist-info/networkx-3.0.dist-info/METADATA", `${SP}/networkx-3.0.dist-info/METADATA`, "dist-info/networkx-3.0.dist-info/expected.trivy.json"],
    ["dist-info/pyphen-0.14.0.dist-info/METADATA", `${SP}/pyphen-0.14.0.dist-info/METADATA`, "dist-info/pyphen-0.14.0.dist-info/expected.trivy.json"],
    ["dist-info/zipp-3.12.1.dist-info/METADATA", `${SP}/zipp-3.12.1.dist-info/METADATA`, "dist-info/zipp-3.12.1.dist-info/expected.trivy.json"],
    ["egg-info/Unidecode.egg-info/PKG-INFO", `${SP}/Unidecode.egg-info/PKG-INFO`, "egg-info/Unidecode.egg-info/expected.trivy.json"],
    ["egg-info/distlib-0.3.1-py3.9.egg-info", `${SP}/distlib-0.3.1-py3.9.egg-info`, "egg-info/distlib-0.3.1-py3.9.egg-info.expected.trivy.json"],
    ["egg-info/setuptools-51.3.3-py3.8.egg-info/PKG-INFO", `/usr/lib/python3/dist-packages/setuptools-51.3.3-py3.8.egg-info/PKG-INFO`, "egg-info/setuptools-51.3.3-py3.8.egg-info/expected.trivy.json"],
  ])("%s", async (rel, path, expected) => {
    expect(cataloger.wants(path, { size: 1, mode: 0o644 })).toBe(true);
    const [want] = trivy(expected);
    const licenses = (want?.licenses ?? []).filter((l) => l !== "UNKNOWN" && !l.startsWith("file://"));
    const pkgs = await parseWith(cataloger, layerFileFrom(testdata(`python/${rel}`), path));
    expect(pkgs).toHaveLength(1);
    expect(pkgs[0]).toMatchObject({ type: "python", ecosystem: "PyPI", name: want?.name, version: want?.version, path });
    expect(pkgs[0]?.licenses ?? []).toEqual(licenses);
  });

  it.each([
    // Debian python3-yaml 6.0-3+b2 and python3-jwt 2.6.0-1 as installed on this machine.
    ["debian-dist-packages/PyYAML-6.0.dist-info.METADATA", "PyYAML", "6.0", "pkg:pypi/pyyaml@6.0"],
    ["debian-dist-packages/PyJWT-2.6.0.egg-info.PKG-INFO", "PyJWT", "2.6.0", "pkg:pypi/pyjwt@2.6.0"],
    ["site-packages/Pygments-2.6.1.dist-info/METADATA", "Pygments", "2.6.1", "pkg:pypi/pygments@2.6.1"],
    ["site-packages/requests-2.22.0.egg-info/PKG-INFO", "requests", "2.22.0", "pkg:pypi/requests@2.22.0"],
  ])("%s → %s %s", async (rel, name, version, purl) => {
    const pkgs = await parseWith(cataloger, layerFileFrom(testdata(`python/${rel}`), `${SP}/x.dist-info/METADATA`));
    expect(pkgs.map((p) => [p.name, p.version, p.purl])).toEqual([[name, version, purl]]);
  });

  it("binary garbage named METADATA is a typed error", async () => {
    const garbage = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) % 256));
    const file = await tempLayerFile(garbage, `${SP}/evil-1.0.dist-info/METADATA`);
    const err: unknown = await parseWith(cataloger, file).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_PACKAGE_DB_INVALID")).toBe(true);
  });
});

describe("python lockfiles", () => {
  it.each(["poetry-flask", "poetry-v2-flask", "poetry-normal"])("%s matches trivy, dev flags included", async (dir) => {
    const pkgs = await parseWith(cataloger, layerFileFrom(testdata(`python/${dir}/poetry.lock`), "/app/poetry.lock"));
    const want = trivy(`${dir}/expected.trivy.json`).map((p) => `${p.name}@${p.version}${p.dev === true ? " dev" : ""}`).sort();
    expect(pkgs.map((p) => `${p.name}@${p.version}${p.meta?.dev === "true" ? " dev" : ""}`).sort()).toEqual(want);
  });

  // trivy's pipenv parser returns `default` only; Lookout also keeps `develop`, flagged dev (both fixtures have none).
  it.each(["pipenv-normal", "pipenv-django"])("%s matches trivy", async (dir) => {
    const pkgs = await parseWith(cataloger, layerFileFrom(testdata(`python/${dir}/Pipfile.lock`), "/app/Pipfile.lock"));
    const want = trivy(`${dir}/expected.trivy.json`).map((p) => `${p.name}@${p.version}`).sort();
    expect(pkgs.map((p) => `${p.name}@${p.version}`).sort()).toEqual(want);
    expect(pkgs.every((p) => p.meta?.source === "lockfile")).toBe(true);
  });

  it.each([
    ["requirements_hash.txt", ["fooproject@1.2", "jinja2@3.0.0"]],
    ["requirements_operator.txt", ["django@2.3.4", "someproject@5.4"]],
    ["requirements_normalized_names.txt", ["ruamel-yaml@0.17.21", "zope-interface@5.4.0"]],
  ])("requirements %s keeps exact pins only, PEP 503 names", async (rel, want) => {
    const pkgs = await parseWith(cataloger, layerFileFrom(testdata(`python/requirements/${rel}`), "/app/requirements.txt"));
    expect(pkgs.map((p) => `${p.name}@${p.version}`).sort()).toEqual(want);
  });

  it("corrupt poetry.lock is a typed error", async () => {
    const file = await tempLayerFile('[[package]]\nname = "x\n', "/app/poetry.lock");
    const err: unknown = await parseWith(cataloger, file).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_PACKAGE_DB_INVALID")).toBe(true);
  });
});

describe("python wants", () => {
  it.each([
    [`${SP}/foo-1.0.dist-info/METADATA`, true],
    [`${SP}/foo-1.0.dist-info/RECORD`, false],
    [`${SP}/foo/bar-1.0.dist-info/METADATA`, false],
    ["/usr/lib/python3/dist-packages/foo-1.0.egg-info", true],
    ["/opt/venv/lib/python3.12/site-packages/foo-1.0.egg/EGG-INFO/PKG-INFO", true],
    ["/app/poetry.lock", true],
    ["/app/Pipfile.lock", true],
    ["/app/requirements.txt", true],
    ["/app/requirements-dev.txt", true],
    ["/app/requirements/prod.txt", true],
    ["/usr/share/doc/python3-pip/requirements.txt", false],
    [`${SP}/pkg/requirements.txt`, false],
    ["/app/notrequirements.md", false],
  ])("%s → %s", (path, want) => {
    expect(cataloger.wants(path, { size: 1, mode: 0o644 })).toBe(want);
  });
});
