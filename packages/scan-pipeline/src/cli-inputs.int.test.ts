import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushWithSkopeo, startRegistry, writeOciLayout, type TestRegistry } from "@lookout/testkit";

const run = promisify(execFile);
const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const STORE_TD = fileURLToPath(new URL("../../advisory-store/testdata/", import.meta.url));

function lookout(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", join(REPO, "packages/cli/src/main.ts"), ...args], {
      cwd: REPO, env: { PATH: process.env.PATH ?? "", HOME: cwd, INIT_CWD: cwd, ...env }, maxBuffer: 32 * 1024 * 1024, timeout: 90_000,
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }));
  });
}

const findingsOf = (stdout: string) =>
  (JSON.parse(stdout) as { findings: { packageName: string; advisoryId: string }[] }).findings.map((f) => [f.packageName, f.advisoryId]);

// The same composed Debian 9 root as cli.int.test.ts, reached through every other kind of input.
describe("lookout scan: registry reference, docker-archive and oci-archive inputs", () => {
  let dir: string;
  let env: Record<string, string>;
  let registry: TestRegistry;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "lk-cli-inputs-"));
    env = { LOOKOUT_DATA_DIR: join(dir, "data") };
    await writeOciLayout(join(dir, "image"), "latest", { layers: [{ files: {
      "etc/os-release": readFileSync(join(STORE_TD, "root/etc/os-release")),
      "var/lib/dpkg/status": readFileSync(join(STORE_TD, "root/var/lib/dpkg/status")),
    } }] });
    expect((await lookout(["db", "import", join(STORE_TD, "osv")], env, dir)).code).toBe(0);
    registry = await startRegistry();
    await pushWithSkopeo(join(dir, "image"), "latest", `${registry.host}/lookout/debian:9`);
    for (const kind of ["docker-archive", "oci-archive"]) {
      await run("skopeo", ["copy", "--quiet", `oci:${join(dir, "image")}:latest`, `${kind}:${join(dir, `${kind}.tar`)}${kind === "docker-archive" ? ":lookout/debian:9" : ""}`], { timeout: 60_000 });
    }
  });
  afterAll(async () => {
    await registry?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("host/repo:tag with --insecure: pulled from the registry the operator named", async () => {
    const r = await lookout(["scan", `${registry.host}/lookout/debian:9`, "--insecure", "--format", "json"], env, dir);
    expect(r.stderr).toBe("");
    expect(findingsOf(r.stdout)).toEqual([["tzdata", "DLA-3051-1"]]);
  });

  it("without --insecure a plain-HTTP registry is not used (TLS required): a one-line error, exit 1", async () => {
    const r = await lookout(["scan", `${registry.host}/lookout/debian:9`], env, dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it.each(["docker-archive.tar", "oci-archive.tar"])("%s is recognised by its contents", async (file) => {
    const r = await lookout(["scan", file, "--format", "json"], env, dir);
    expect(r.stderr).toBe("");
    expect(findingsOf(r.stdout)).toEqual([["tzdata", "DLA-3051-1"]]);
  });
});
