import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { FileCataloger } from "../types.js";
import { layerFileFrom, parseWith } from "../npm/testing.js";
import { goBinaryCataloger } from "./index.js";

const binary: FileCataloger = goBinaryCataloger;

/**
 * Real Go programs: Debian's docker-registry, skopeo and umoci (GOPATH builds: toolchain and
 * main package only) and the esbuild binary pnpm installs for vitest (a module build with a
 * dependency). The oracle is `strings` (binutils) over the same file, independent of our ELF
 * and varint decoding.
 */
function stringsOf(path: string): string[] {
  return execFileSync("strings", ["-n", "6", path], { maxBuffer: 256 * 1024 * 1024 }).toString("latin1").split("\n");
}

function esbuildBinary(): string {
  const store = new URL("../../../../node_modules/.pnpm/", import.meta.url).pathname;
  const dir = readdirSync(store).find((d) => d.startsWith(`@esbuild+linux-${process.arch}@`));
  if (!dir) throw new Error(`no @esbuild/linux-${process.arch} in ${store}`);
  return join(store, dir, "node_modules", "@esbuild", `linux-${process.arch}`, "bin", "esbuild");
}

describe("go-binary on real executables", () => {
  it.each(["/usr/bin/docker-registry", "/usr/bin/skopeo", "/usr/bin/umoci"])("%s", async (path) => {
    const lines = stringsOf(path);
    const goVersions = new Set(lines.filter((l) => /^go1\.\d+(\.\d+)?$/.test(l)));
    expect(goVersions.size).toBe(1);
    const [goVersion] = [...goVersions];
    const mainPackage = lines.find((l) => l.startsWith("path\t"))?.slice(5);

    const file = layerFileFrom(path, path, statSync(path).mode & 0o7777);
    expect(binary.wants(file.path, file)).toBe(true);
    const pkgs = await parseWith(binary, file);
    expect(pkgs.map((p) => [p.name, p.version])).toEqual([["stdlib", goVersion!.slice(2)]]);
    expect(pkgs[0]?.meta).toMatchObject({ goToolchain: goVersion, goMainPackage: mainPackage });
  });

  it("esbuild (module build): main module is (devel), its golang.org/x/sys dependency is reported", async () => {
    const path = esbuildBinary();
    const lines = stringsOf(path);
    const deps = lines.filter((l) => l.startsWith("dep\t")).map((l) => l.split("\t")).map(([, mod, v]) => `${mod}@${v!.replace(/^v/, "")}`);
    const goVersion = lines.find((l) => /^go1\.\d+(\.\d+)?$/.test(l))!;
    const pkgs = await parseWith(binary, layerFileFrom(path, "/usr/local/bin/esbuild", 0o755));
    expect(pkgs.map((p) => `${p.name}@${p.version}`)).toEqual([`stdlib@${goVersion.slice(2)}`, ...new Set(deps)]);
    expect(pkgs[0]?.meta?.goMainModule).toBe("github.com/evanw/esbuild");
  });
});
