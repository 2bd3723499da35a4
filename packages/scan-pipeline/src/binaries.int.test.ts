import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildElf } from "@lookout/ecosystems/testing";
import type { LayerEvent } from "@lookout/inventory";
import { openOciLayout } from "@lookout/oci";
import { writeOciLayout } from "@lookout/oci/testing";
import { inventoryOf } from "./index.js";

/**
 * Executables through the whole walker: a Go program built here with Debian's golang-go is
 * sampled (never copied whole to scratch) and reported as `go version -m` does; a C program
 * (this host's /bin/ls) is sampled and has nothing; a cargo-auditable section the samples did
 * not keep gets its layer read a second time, whole.
 */
describe("executables in a scanned image", () => {
  let work: string;
  let goExe: Buffer;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "lk-exes-"));
    const src = join(work, "src");
    await mkdir(src);
    await writeFile(join(src, "go.mod"), "module example.com/tool\n\ngo 1.19\n");
    await writeFile(join(src, "main.go"), "package main\n\nfunc main() { println(\"hi\") }\n");
    const env = { PATH: process.env.PATH, HOME: work, GOCACHE: join(work, "cache"), GOPATH: join(work, "gopath"), GOPROXY: "off", GOFLAGS: "-mod=mod", CGO_ENABLED: "0" };
    execFileSync("go", ["build", "-o", join(work, "tool"), "."], { cwd: src, env, stdio: "pipe" });
    goExe = readFileSync(join(work, "tool"));
  }, 120_000);
  afterAll(() => rm(work, { recursive: true, force: true }));

  async function scan(name: string, entries: { name: string; content: Buffer }[]) {
    await writeOciLayout(join(work, name), "v1", [{ layers: [{ entries: entries.map((e) => ({ ...e, mode: 0o755 })) }] }]);
    const r = await openOciLayout(join(work, name), "v1");
    if (r.kind !== "images") throw new Error("not an image");
    const events: LayerEvent[] = [];
    const inv = await inventoryOf(r.images[0]!, { scratchDir: join(work, `scratch-${name}`), onLayer: (e) => events.push(e) });
    return { inv, rereads: events.filter((e) => e.reread).length, kept: events.reduce((n, e) => n + (e.keptBytes ?? 0), 0) };
  }

  it("a Go program is sampled and gives its stdlib and main module; a C program gives nothing; no second read", async () => {
    const { inv, rereads, kept } = await scan("go", [
      { name: "usr/local/bin/tool", content: goExe },
      { name: "bin/ls", content: readFileSync("/bin/ls") },
    ]);
    const goVersion = /go(\d+\.\d+(?:\.\d+)?)/.exec(execFileSync("go", ["env", "GOVERSION"]).toString())![1]!;
    expect(inv.packages.map((p) => `${p.type} ${p.name}@${p.version} ${p.path}`)).toEqual([`go-binary stdlib@${goVersion} /usr/local/bin/tool`]);
    expect(inv.unknowns).toEqual([]);
    expect(rereads).toBe(0);
    // Sampled: well under the program's size was kept (whole, it alone would count in full).
    expect(kept).toBeLessThan(goExe.length / 2);
  });

  it("a cargo-auditable section beyond the sampled bytes is read on a second pass of its layer", async () => {
    const info = { packages: [{ name: "app", version: "0.1.0", source: "local", root: true }, { name: "serde", version: "1.0.190", source: "crates.io" }] };
    // 200 KiB after the zlib stream: the section runs past what a sample keeps of any ELF.
    const elf = buildElf(Buffer.concat([deflateSync(JSON.stringify(info)), Buffer.alloc(200 << 10)]), { sectionName: ".dep-v0" });
    const { inv, rereads } = await scan("rust", [{ name: "usr/bin/app", content: elf }]);
    expect(inv.packages.map((p) => `${p.type} ${p.name}@${p.version}`)).toEqual(["rust-binary serde@1.0.190"]);
    expect(inv.unknowns).toEqual([]);
    expect(rereads).toBe(1);
    // A section inside the sample (cargo-auditable's is a few KiB, non-alloc, just before the
    // section table of a stripped binary) needs no second read.
    // (Trailing bytes bring the file over the 64 KiB floor for executables worth reading.)
    const smallElf = Buffer.concat([buildElf(deflateSync(JSON.stringify(info)), { sectionName: ".dep-v0" }), Buffer.alloc(100 << 10)]);
    const small = await scan("rust-small", [{ name: "usr/bin/app", content: smallElf }]);
    expect(small.inv.packages.map((p) => `${p.type} ${p.name}@${p.version}`)).toEqual(["rust-binary serde@1.0.190"]);
    expect(small.rereads).toBe(0);
  });
});
