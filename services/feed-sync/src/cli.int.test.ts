import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildZip } from "./testing/feed-server.js";
import { testdata } from "./testing/harness.js";

const root = new URL("../../../", import.meta.url).pathname;
let dir: string;
let mirror: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lk-feeds-cli-"));
  mirror = join(dir, "mirror");
  await mkdir(join(mirror, "Go"), { recursive: true });
  await mkdir(join(mirror, "npm"), { recursive: true });
  await writeFile(join(mirror, "Go", "all.zip"), await buildZip({ "GO-2021-0113.json": testdata("osv/Go/GO-2021-0113.json"), "GO-2022-0617.json": testdata("osv/Go/GO-2022-0617.withdrawn.json") }));
  await writeFile(join(mirror, "npm", "all.zip"), await buildZip({ "GHSA-whgm-jr23-g3j9.json": testdata("osv/npm/GHSA-whgm-jr23-g3j9.json") }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The real command line, on the embedded database in a temp folder (no DATABASE_URL). */
function lookout(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, LOOKOUT_DATA_DIR: join(dir, "data"), FEED_SYNC_OSV_ECOSYSTEMS: "Go,npm", LOG_LEVEL: "warn" };
  delete env.DATABASE_URL;
  return spawnSync(process.execPath, ["--import", "tsx", join(root, "packages/cli/src/main.ts"), "feeds", ...args], { cwd: root, env, encoding: "utf8", timeout: 110_000 });
}

describe("lookout feeds", () => {
  it("syncs an air-gapped mirror folder into the embedded database, then finds it unchanged", () => {
    const first = lookout("sync", "--source", "osv", "--from", mirror);
    expect(first.stderr).toBe("");
    expect(first.stdout).toBe("osv: succeeded, added 2, changed 0, withdrawn 1, rejected 0, re-matched 0 images (0 new, 0 resolved, 0 retracted findings)\n");
    expect(first.status).toBe(0);
    const second = lookout("sync", "--source", "osv", "--from", mirror);
    expect(second.stdout).toMatch(/^osv: unchanged, added 0, changed 0, withdrawn 0, rejected 0/);
    const runs = lookout("runs");
    expect(runs.stdout.trim().split("\n").map((l) => l.split(/\s+/).slice(1, 3).join(" "))).toEqual(["osv unchanged", "osv succeeded"]);
  });

  it("refuses --from without --source and an unknown source with exit code 2", () => {
    expect(lookout("sync", "--from", mirror)).toMatchObject({ status: 2, stderr: expect.stringContaining("--from needs --source") });
    expect(lookout("sync", "--source", "nope")).toMatchObject({ status: 2, stderr: expect.stringContaining("unknown source") });
  });
});
