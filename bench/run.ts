/**
 * `pnpm bench`: every benchmark in one run on this machine, each reported as a ratio against a
 * baseline measured in the same run where one exists. Pass names to run a subset:
 * `pnpm bench pipeline layers`.
 */
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const SUITES: Record<string, string> = {
  pipeline: "bench/pipeline.bench.ts",
  layers: "packages/oci/bench/layers.bench.ts --registry",
  scan: "bench/scan.bench.ts",
  match: "packages/advisory-store/bench/match.bench.ts",
  feeds: "bench/feeds.bench.ts",
  notifier: "bench/notifier.bench.ts",
};

const wanted = process.argv.slice(2);
let failed = 0;
for (const [name, file] of Object.entries(SUITES)) {
  if (wanted.length && !wanted.includes(name)) continue;
  const [path, ...args] = file.split(" ") as [string, ...string[]];
  if (!existsSync(join(root, path))) {
    console.log(`bench ${name}: not present (${file})`);
    continue;
  }
  console.log(`\n== bench ${name} (${file})`);
  // Each suite in its own process: a clean heap and RSS figure per suite.
  const r = spawnSync(process.execPath, ["--import", "tsx", join(root, path), ...args], { cwd: root, stdio: "inherit", env: process.env });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
