import { readFileSync } from "node:fs";
import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { isLookoutError } from "@lookout/domain";
import type { FileCataloger } from "../types.js";
import { buildElf, buildMacho } from "../go/elf.testutil.js";
import { layerFileFrom, parseWith, tempLayerFile, testdata } from "../npm/testing.js";
import { cargoLockCataloger, rustBinaryCataloger } from "./index.js";

const cargo: FileCataloger = cargoLockCataloger;
const binary: FileCataloger = rustBinaryCataloger;

describe("Cargo.lock", () => {
  it.each(["cargo-normal", "cargo-mixed", "cargo-v3"])("%s matches trivy (local root crate flagged)", async (dir) => {
    const pkgs = await parseWith(cargo, layerFileFrom(testdata(`rust/${dir}/Cargo.lock`), "/src/Cargo.lock"));
    const want = (JSON.parse(readFileSync(testdata(`rust/${dir}/expected.trivy.json`), "utf8")) as { packages: { name: string; version: string }[] }).packages;
    expect(pkgs.map((p) => `${p.name}@${p.version}`).sort()).toEqual(want.map((p) => `${p.name}@${p.version}`).sort());
    expect(pkgs.filter((p) => p.meta?.local === "true")).toHaveLength(1);
    expect(pkgs.every((p) => p.ecosystem === "crates.io" && p.purl === `pkg:cargo/${p.name}@${p.version}`)).toBe(true);
  });

  it("git sources are marked", async () => {
    const pkgs = await parseWith(cargo, layerFileFrom(testdata("rust/cargo-git-deps/Cargo.lock"), "/src/Cargo.lock"));
    expect(pkgs.some((p) => p.meta?.source === "git")).toBe(true);
  });

  it("garbage is a typed error", async () => {
    const err: unknown = await parseWith(cargo, await tempLayerFile("[[package]\nname = ", "/src/Cargo.lock")).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_PACKAGE_DB_INVALID")).toBe(true);
  });
});

describe("cargo-auditable binaries", () => {
  // The VersionInfo layout of cargo-auditable's published JSON schema.
  const info = {
    packages: [
      { name: "app", version: "0.1.0", source: "local", dependencies: [1, 2], root: true },
      { name: "serde", version: "1.0.190", source: "crates.io" },
      { name: "cc", version: "1.0.83", source: "crates.io", kind: "build" },
      { name: "forked", version: "0.3.0", source: "git" },
    ],
  };
  const elf = (section: Buffer) => tempLayerFile(buildElf(section, { sectionName: ".dep-v0" }), "/usr/local/bin/app", 0o755);

  it("reports crates.io dependencies from .dep-v0, skipping the root and non-registry crates", async () => {
    const pkgs = await parseWith(binary, await elf(deflateSync(JSON.stringify(info))));
    expect(pkgs.map((p) => [p.name, p.version, p.meta?.kind])).toEqual([["serde", "1.0.190", undefined], ["cc", "1.0.83", "build"]]);
    expect(pkgs[0]).toMatchObject({ type: "rust-binary", ecosystem: "crates.io", purl: "pkg:cargo/serde@1.0.190", path: "/usr/local/bin/app" });
  });

  it("reads __dep_v0 from a Mach-O executable", async () => {
    const file = await tempLayerFile(buildMacho(deflateSync(JSON.stringify(info)), "__dep_v0"), "/app/app", 0o755);
    expect((await parseWith(binary, file)).map((p) => p.name)).toEqual(["serde", "cc"]);
  });

  it("an executable without the section gives []", async () => {
    expect(await parseWith(binary, await tempLayerFile(buildElf(Buffer.alloc(128), { sectionName: ".data" }), "/bin/x", 0o755))).toEqual([]);
  });

  it("a zlib bomb in the section stops at the output cap", async () => {
    const err: unknown = await parseWith(binary, await elf(deflateSync(Buffer.alloc(64 * 1024 * 1024, 0x20)))).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_ARCHIVE_LIMIT")).toBe(true);
  });

  it("a corrupt section is a typed error", async () => {
    const err: unknown = await parseWith(binary, await elf(Buffer.from("not zlib at all"))).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_PACKAGE_DB_INVALID")).toBe(true);
  });
});
