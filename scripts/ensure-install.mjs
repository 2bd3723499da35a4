#!/usr/bin/env node
// First-run installer behind `npm start` / `npm test`: needs only Node 20+. Gets pnpm at the
// version pinned in package.json (into .lookout/tools when the machine has another or none),
// then installs dependencies when node_modules is missing or older than the lockfile.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [major] = process.versions.node.split(".").map(Number);
if (major < 20) {
  console.error(`lookout: Node ${process.versions.node} is too old; install Node 20 or newer (https://nodejs.org)`);
  process.exit(1);
}
const pinned = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager.split("@")[1];

export function pnpmBin() {
  const local = join(root, ".lookout", "tools", "node_modules", ".bin", "pnpm");
  const onPath = spawnSync("pnpm", ["--version"], { encoding: "utf8" });
  if (onPath.status === 0 && onPath.stdout.trim() === pinned) return "pnpm";
  if (existsSync(local)) return local;
  console.error(`lookout: installing pnpm ${pinned} into .lookout/tools (first run)`);
  execFileSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--prefix", join(root, ".lookout", "tools"), `pnpm@${pinned}`], { stdio: ["ignore", "ignore", "inherit"] });
  return local;
}

const marker = join(root, "node_modules", ".pnpm", "lock.yaml");
const lock = join(root, "pnpm-lock.yaml");
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs;
if (stale) {
  const env = { ...process.env };
  // Native addons (zstd-napi) build against Node's headers; Debian's nodejs ships them in /usr.
  if (!env.npm_config_nodedir && existsSync("/usr/include/node/node_version.h") && process.execPath.startsWith("/usr/")) env.npm_config_nodedir = "/usr";
  console.error("lookout: installing dependencies (first run)");
  const r = spawnSync(pnpmBin(), ["install", "--frozen-lockfile"], { cwd: root, stdio: "inherit", env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
