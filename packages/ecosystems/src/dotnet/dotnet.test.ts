import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isLookoutError } from "@lookout/domain";
import type { FileCataloger } from "../types.js";
import { layerFileFrom, parseWith, tempLayerFile, testdata } from "../npm/testing.js";
import { dotnetCataloger } from "./index.js";

const dotnet: FileCataloger = dotnetCataloger;

/** trivy's expectations minus "project" libraries (the app's own code, never a NuGet package). */
function trivy(dir: string, projects: string[]): string[] {
  const doc = JSON.parse(readFileSync(testdata(`dotnet/${dir}/expected.trivy.json`), "utf8")) as { packages: { name: string; version: string }[] };
  return doc.packages.filter((p) => !projects.includes(p.name)).map((p) => `${p.name}@${p.version}`).sort();
}

describe("dotnet", () => {
  it.each([
    ["happy", ["ExampleApp1"]],
    ["multi-project", ["Api", "Data", "Web"]],
    ["self-contained", ["ExampleApp1"]],
    ["without-runtime", ["hello2"]],
  ])("%s deps.json matches trivy", async (dir, projects) => {
    const path = "/app/app.deps.json";
    expect(dotnet.wants(path, { size: 1, mode: 0o644 })).toBe(true);
    const pkgs = await parseWith(dotnet, layerFileFrom(testdata(`dotnet/${dir}/app.deps.json`), path));
    expect(pkgs.map((p) => `${p.name}@${p.version}`).sort()).toEqual(trivy(dir, projects));
    expect(pkgs.every((p) => p.ecosystem === "NuGet" && p.purl === `pkg:nuget/${p.name}@${p.version}`)).toBe(true);
  });

  it("syft TestLibrary.deps.json: packages with runtime assets", async () => {
    const pkgs = await parseWith(dotnet, layerFileFrom(testdata("dotnet/syft-TestLibrary/TestLibrary.deps.json"), "/app/TestLibrary.deps.json"));
    const names = pkgs.map((p) => p.name);
    expect(names).toContain("Serilog");
    expect(names).not.toContain("System.Diagnostics.DiagnosticSource"); // only "dependencies", no assets
    expect(names).not.toContain("TestLibrary"); // project
    expect(pkgs).toHaveLength(10);
  });

  it("packages.lock.json matches trivy", async () => {
    const pkgs = await parseWith(dotnet, layerFileFrom(testdata("dotnet/nuget-lock/packages.lock.json"), "/src/packages.lock.json"));
    expect(pkgs.map((p) => `${p.name}@${p.version}`).sort()).toEqual(trivy("nuget-lock", []));
  });

  it("garbage is a typed error", async () => {
    const err: unknown = await parseWith(dotnet, await tempLayerFile(Buffer.from([0x4d, 0x5a, 0x90, 0, 3]), "/app/x.deps.json")).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_PACKAGE_DB_INVALID")).toBe(true);
  });
});
