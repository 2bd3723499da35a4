import { describe, expect, it } from "vitest";
import { isLookoutError } from "@lookout/domain";
import type { FileCataloger } from "../types.js";
import { layerFileFrom, parseWith, tempLayerFile, testdata } from "../npm/testing.js";
import { buildElf, buildMacho, buildPe, frameModinfo, inlineBuildInfo, pointerBuildInfo } from "./elf.testutil.js";
import { GO_CATALOGERS, goBinaryCataloger, goModCataloger } from "./index.js";
import { stdlibVersion } from "./parse-modinfo.js";

const binary: FileCataloger = goBinaryCataloger;
const gomod: FileCataloger = goModCataloger;

const MODINFO = frameModinfo(
  [
    "path\texample.com/app/cmd/app",
    "mod\texample.com/app\tv1.4.0\th1:abc=",
    "dep\tgolang.org/x/net\tv0.17.0\th1:def=",
    "dep\tgithub.com/old/lib\tv1.0.0\th1:ghi=",
    "=>\tgithub.com/fork/lib\tv1.0.1-fix\th1:jkl=",
    "dep\texample.com/local\tv0.0.0-00010101000000-000000000000",
    "=>\t../local\t",
    "dep\texample.com/greet\tv1.2.3",
    "=>\t./greet\t(devel)\t",
    "build\t-compiler=gc",
    "",
  ].join("\n"),
);

const summary = (pkgs: { name: string; version: string; meta?: Record<string, string> }[]) =>
  pkgs.map((p) => `${p.name}@${p.version}${p.meta?.goReplaces ? ` (replaces ${p.meta.goReplaces})` : ""}${p.meta?.goReplacedByDir ? ` (dir ${p.meta.goReplacedByDir})` : ""}`);

const EXPECTED = [
  "stdlib@1.21.3",
  "example.com/app@1.4.0",
  "golang.org/x/net@0.17.0",
  "github.com/fork/lib@1.0.1-fix (replaces github.com/old/lib@v1.0.0)",
  "example.com/local@0.0.0-00010101000000-000000000000 (dir ../local)",
  // go 1.19 writes a directory replacement's version as "(devel)".
  "example.com/greet@1.2.3 (dir ./greet)",
];

async function elfFile(data: Buffer, sectionName?: string) {
  return tempLayerFile(buildElf(data, sectionName === undefined ? {} : { sectionName }), "/usr/local/bin/app", 0o755);
}

describe("go-binary build info", () => {
  it("reads the Go 1.18+ inline format from .go.buildinfo", async () => {
    const pkgs = await parseWith(binary, await elfFile(inlineBuildInfo("go1.21.3", MODINFO), ".go.buildinfo"));
    expect(summary(pkgs)).toEqual(EXPECTED);
    expect(pkgs[0]).toMatchObject({ type: "go-binary", ecosystem: "Go", purl: "pkg:golang/stdlib@1.21.3", path: "/usr/local/bin/app" });
    expect(pkgs[2]?.purl).toBe("pkg:golang/golang.org/x/net@v0.17.0");
    expect(pkgs[1]?.meta).toMatchObject({ goMain: "true", goToolchain: "go1.21.3", goMainPackage: "example.com/app/cmd/app" });
  });

  it("reads the pre-1.18 pointer format through the PT_LOAD mapping", async () => {
    const pkgs = await parseWith(binary, await elfFile(pointerBuildInfo("go1.17.13", MODINFO), ".go.buildinfo"));
    expect(summary(pkgs)).toEqual(["stdlib@1.17.13", ...EXPECTED.slice(1)]);
  });

  it("finds the blob at the start of the writable segment when section headers are stripped", async () => {
    const pkgs = await parseWith(binary, await elfFile(inlineBuildInfo("go1.22.1", MODINFO)));
    expect(pkgs.map((p) => p.name)[0]).toBe("stdlib");
    expect(pkgs[0]?.version).toBe("1.22.1");
  });

  it("a truncated ELF (section table past the end) is a typed error, not a crash", async () => {
    const whole = buildElf(inlineBuildInfo("go1.21.3", MODINFO), { sectionName: ".go.buildinfo" });
    const file = await tempLayerFile(whole.subarray(0, whole.length - 100), "/usr/local/bin/app", 0o755);
    const err: unknown = await parseWith(binary, file).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_PACKAGE_DB_INVALID")).toBe(true);
  });

  it.each([
    ["PE (.data section)", buildPe],
    ["Mach-O (__go_buildinfo section)", buildMacho],
  ])("reads the inline format from %s", async (_what, build) => {
    const file = await tempLayerFile(build(inlineBuildInfo("go1.21.3", MODINFO)), "/app/app.exe", 0o755);
    expect(summary(await parseWith(binary, file))).toEqual(EXPECTED);
  });

  it("a GOPATH build (no modinfo) still reports the toolchain", async () => {
    const pkgs = await parseWith(binary, await elfFile(inlineBuildInfo("go1.19.8", ""), ".go.buildinfo"));
    expect(summary(pkgs)).toEqual(["stdlib@1.19.8"]);
  });

  it("an ELF without Go build info gives no packages and no error", async () => {
    expect(await parseWith(binary, await elfFile(Buffer.alloc(4096, 0x90), ".data"))).toEqual([]);
  });

  it("a script with an execute bit gives no packages", async () => {
    expect(await parseWith(binary, await tempLayerFile("#!/bin/sh\necho hi\n".repeat(5000), "/entrypoint", 0o755))).toEqual([]);
  });

  it.each([
    ["length varint far past the section", Buffer.concat([inlineBuildInfo("go1.21.3", "").subarray(0, 32), Buffer.from([0xff, 0xff, 0xff, 0x7f])])],
    ["truncated varint", Buffer.concat([inlineBuildInfo("go1.21.3", "").subarray(0, 32), Buffer.from([0x80, 0x80])])],
    ["unprintable version", inlineBuildInfo("go1.21\u0000\u0001", MODINFO)],
    ["pointer to nowhere", (() => { const b = pointerBuildInfo("go1.16", MODINFO); b.writeBigUInt64LE(0xdead0000n, 16); return b; })()],
    ["bad pointer size", (() => { const b = pointerBuildInfo("go1.16", MODINFO); b[14] = 3; return b; })()],
  ])("malformed build info (%s) is a typed error", async (_what, data) => {
    const err: unknown = await parseWith(binary, await elfFile(data, ".go.buildinfo")).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_PACKAGE_DB_INVALID")).toBe(true);
  });

  it.each([
    ["/usr/local/bin/app", 0o755, 2_000_000, true],
    ["/app/server", 0o700, 2_000_000, true],
    ["/usr/local/bin/app", 0o644, 2_000_000, false],
    ["/usr/bin/tiny", 0o755, 4096, false],
    ["/usr/lib/x86_64-linux-gnu/libc.so.6", 0o755, 2_000_000, false],
    ["/docker-entrypoint.sh", 0o755, 2_000_000, false],
    ["/huge", 0o755, 300 * 1024 * 1024, false],
  ])("wants %s mode %o size %d → %s", (path, mode, size, want) => {
    expect(binary.wants(path, { mode, size })).toBe(want);
  });
});

describe("stdlibVersion", () => {
  it.each([
    ["go1.21.3", "1.21.3"],
    ["go1.20", "1.20.0"],
    ["go1.21rc2", "1.21.0-rc.2"],
    ["go1.22.1 X:boringcrypto", "1.22.1"],
    ["devel go1.23-abcdef", undefined],
  ])("%s → %s", (v, want) => expect(stdlibVersion(v)).toBe(want));
});

describe("go.mod", () => {
  // trivy GoModNormal / GoModReplaced minus the root module and the go-directive stdlib
  // (a minimum, not the toolchain actually used), versions without the "v" as in OSV.
  it.each([
    ["mod-normal", [
      "github.com/aquasecurity/go-version@0.0.0-20240603093900-cf8a8d29271d",
      "github.com/davecgh/go-spew@1.1.2-0.20180830191138-d8f796af33cc",
      "github.com/pmezard/go-difflib@1.0.1-0.20181226105442-5d4384ee4fb2",
      "github.com/stretchr/testify@1.9.0",
      "golang.org/x/xerrors@0.0.0-20231012003039-104605ab7028",
    ]],
    ["mod-replaced", [
      "github.com/aquasecurity/go-dep-parser@0.0.0-20220406074731-71021a481237 (replaces github.com/aquasecurity/go-dep-parser@v0.0.0-20211110174639-8257534ffed3)",
      "golang.org/x/xerrors@0.0.0-20200804184101-5ec99f83aff1",
    ]],
    ["mod-go116", [
      "github.com/aquasecurity/go-dep-parser@0.0.0-20211224170007-df43bca6b6ff",
      "gopkg.in/yaml.v3@3.0.0-20210107192922-496545a6307b",
    ]],
  ])("%s", async (dir, want) => {
    const pkgs = await parseWith(gomod, layerFileFrom(testdata(`go/${dir}/go.mod`), "/src/go.mod"));
    expect(summary(pkgs).sort()).toEqual([...want].sort());
    expect(pkgs.every((p) => p.type === "go-module" && p.ecosystem === "Go")).toBe(true);
  });

  it("marks indirect requirements", async () => {
    const pkgs = await parseWith(gomod, layerFileFrom(testdata("go/mod-normal/go.mod"), "/src/go.mod"));
    expect(pkgs.filter((p) => p.meta?.indirect === "true")).toHaveLength(4);
  });

  it("registers both catalogers under distinct names", () => {
    expect(GO_CATALOGERS.map((c) => c.name)).toEqual(["go-binary", "go-module"]);
    expect(gomod.wants("/src/go.mod", { size: 1, mode: 0o644 })).toBe(true);
    expect(gomod.wants("/root/go/pkg/mod/golang.org/x/net@v0.1.0/go.mod", { size: 1, mode: 0o644 })).toBe(false);
  });
});
