import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLookoutError, SAMPLE_HEAD_BYTES, type LayerFile } from "@lookout/domain";
import type { FileCataloger } from "../types.js";
import { rustBinaryCataloger } from "../rust/index.js";
import { layerFileFrom, parseWith } from "../npm/testing.js";
import { goBinaryCataloger } from "./index.js";

const binary: FileCataloger = goBinaryCataloger;

/**
 * Real Go binaries built here with Debian's golang-go (.ci/apt-packages.txt), offline: a
 * vendored module whose dependency is replaced by another module version, and a module with a
 * directory replacement, cross-compiled to ELF (amd64, 386, big-endian s390x), PE and Mach-O.
 * The oracle is `go version -m` on the same file.
 */
let work: string;
const env = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: work,
  GOCACHE: join(work, "cache"),
  GOPATH: join(work, "gopath"),
  GOPROXY: "off",
  GOFLAGS: "",
  CGO_ENABLED: "0",
});

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

const MAIN = 'package main\n\nimport "example.com/greet"\n\nfunc main() { println(greet.Hello()) }\n';
const GREET = 'package greet\n\nfunc Hello() string { return "hi" }\n';

function build(dir: string, out: string, goos: string, goarch: string, extra: string[] = []): string {
  const exe = join(work, out);
  execFileSync("go", ["build", ...extra, "-o", exe, "."], { cwd: dir, env: { ...env(), GOOS: goos, GOARCH: goarch }, stdio: "pipe" });
  return exe;
}

/** `go version -m` → ["stdlib@x.y.z", "<module>@<version> ..."] in our reporting rules. */
function oracle(exe: string): string[] {
  const lines = execFileSync("go", ["version", "-m", exe], { env: env() }).toString("utf8").split("\n");
  const goVersion = /: go(\S+)$/.exec(lines[0]!)![1]!;
  const out = [`stdlib@${goVersion}`];
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.trim().split("\t");
    if (f[0] !== "dep") continue;
    const next = lines[i + 1]?.trim().split("\t");
    const [path, version] = [f[1]!, f[2]!.replace(/^v/, "")];
    if (next?.[0] === "=>" && next[2]?.startsWith("v")) out.push(`${next[1]}@${next[2].slice(1)} (replaces ${path}@${f[2]})`);
    else if (next?.[0] === "=>") out.push(`${path}@${version} (dir ${next[1]})`);
    else out.push(`${path}@${version}`);
  }
  return out;
}

async function ours(exe: string): Promise<string[]> {
  const pkgs = await parseWith(binary, layerFileFrom(exe, "/usr/local/bin/hello", 0o755));
  return pkgs.map((p) => `${p.name}@${p.version}${p.meta?.goReplaces ? ` (replaces ${p.meta.goReplaces})` : ""}${p.meta?.goReplacedByDir ? ` (dir ${p.meta.goReplacedByDir})` : ""}`);
}

/** The file as the layer walker keeps it under the catalogers' plans: only the sampled ranges. */
function sampledFile(exe: string, path: string): LayerFile | "whole" | "skip" {
  const bytes = readFileSync(exe);
  const head = bytes.subarray(0, SAMPLE_HEAD_BYTES);
  const plans = ([goBinaryCataloger, rustBinaryCataloger] as FileCataloger[]).map((c) => c.sample!(head, { path, size: bytes.length, mode: 0o755 }));
  if (plans.includes("whole")) return "whole";
  const ranges = plans.flatMap((p) => (typeof p === "string" ? [] : p.ranges));
  if (ranges.length === 0) return "skip";
  const short = () => Promise.reject(new Error("not kept"));
  const sampled = [[0, head.length] as const, ...ranges].map(([off, len]) => ({ offset: off, bytes: bytes.subarray(off, Math.min(off + len, bytes.length)) }));
  return { path, size: bytes.length, mode: 0o755, layerDigest: "sha256:" + "0".repeat(64), sampled, read: short, hostPath: short, stream: () => { throw new Error("not kept"); } };
}

describe("go-binary on binaries built with go build", () => {
  let vendored: string;
  let dirReplaced: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "lookout-gobuild-"));
    vendored = join(work, "vendored");
    write(vendored, {
      "go.mod": "module example.com/hello\n\ngo 1.19\n\nrequire example.com/greet v1.2.3\n\nreplace example.com/greet v1.2.3 => example.com/fork v1.0.1\n",
      "main.go": MAIN,
      "vendor/example.com/greet/greet.go": GREET,
      "vendor/modules.txt": "# example.com/greet v1.2.3 => example.com/fork v1.0.1\n## explicit; go 1.19\nexample.com/greet\n",
    });
    dirReplaced = join(work, "dir");
    write(dirReplaced, {
      "go.mod": "module example.com/hello\n\ngo 1.19\n\nrequire example.com/greet v1.2.3\n\nreplace example.com/greet v1.2.3 => ./greet\n",
      "main.go": MAIN,
      "greet/go.mod": "module example.com/greet\n\ngo 1.19\n",
      "greet/greet.go": GREET,
    });
  });

  // The build cache holds a compiled standard library per target: do not leave it behind.
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("module replacement (vendored build), linux/amd64 ELF", async () => {
    const exe = build(vendored, "vendored-linux", "linux", "amd64", ["-mod=vendor"]);
    const want = oracle(exe);
    expect(want).toEqual([expect.stringMatching(/^stdlib@1\.\d+/), "example.com/fork@1.0.1 (replaces example.com/greet@v1.2.3)"]);
    expect(await ours(exe)).toEqual(want);
  });

  it.each([
    ["linux", "amd64"],
    ["linux", "386"],
    ["linux", "s390x"],
  ])("sampled from its head, a %s/%s Go program gives what the whole file gives from a small part of it", async (goos, goarch) => {
    const exe = build(dirReplaced, `sampled-${goos}-${goarch}`, goos, goarch, ["-mod=mod"]);
    const file = sampledFile(exe, "/usr/local/bin/hello");
    if (typeof file === "string") throw new Error(`planned ${file}`);
    const kept = file.sampled!.reduce((n, r) => n + r.bytes.length, 0);
    expect(kept).toBeLessThan(file.size / 4);
    const pkgs = await parseWith(binary, file);
    expect(pkgs.map((p) => `${p.name}@${p.version}${p.meta?.goReplacedByDir ? ` (dir ${p.meta.goReplacedByDir})` : ""}`)).toEqual(oracle(exe));
    // The Rust reader skips a Go program without reading it.
    expect(await parseWith(rustBinaryCataloger, file)).toEqual([]);
    // Bytes the sample lacks (here the data segment) fail as LKT_ERR_SAMPLE_SHORT, never as "no build info".
    const err = await parseWith(binary, { ...file, sampled: file.sampled!.slice(0, 1) }).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_SAMPLE_SHORT")).toBe(true);
  });

  it("PE and Mach-O programs are kept whole; a C program is sampled and has nothing; a non-executable is skipped", async () => {
    expect(sampledFile(build(dirReplaced, "pe", "windows", "amd64", ["-mod=mod"]), "/app/hello.exe")).toBe("whole");
    expect(sampledFile(build(dirReplaced, "macho", "darwin", "arm64", ["-mod=mod"]), "/app/hello")).toBe("whole");
    const ls = sampledFile("/bin/ls", "/bin/ls");
    if (typeof ls === "string") throw new Error(`planned ${ls}`);
    expect(await parseWith(binary, ls)).toEqual([]);
    expect(await parseWith(rustBinaryCataloger, ls)).toEqual([]);
    const text = join(work, "script");
    writeFileSync(text, "#!/bin/sh\n" + "echo hi\n".repeat(20000));
    expect(sampledFile(text, "/usr/bin/tool")).toBe("skip");
  });

  it.each([
    ["linux", "amd64"],
    ["linux", "386"],
    ["linux", "s390x"],
    ["windows", "amd64"],
    ["darwin", "arm64"],
  ])("directory replacement, %s/%s", async (goos, goarch) => {
    const exe = build(dirReplaced, `dir-${goos}-${goarch}`, goos, goarch, ["-mod=mod"]);
    const want = oracle(exe);
    expect(want.slice(1)).toEqual(["example.com/greet@1.2.3 (dir ./greet)"]);
    expect(await ours(exe)).toEqual(want);
  });
});
