#!/usr/bin/env node
// The test command: start what the integration tests need when it is not running (Redis, NATS,
// a throwaway Postgres), typecheck, lint, run vitest, and end with one plain line
// "N passed, N failed".
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { createConnection } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (n) => join(root, "node_modules", ".bin", n);
const data = join(root, ".lookout", "test");
mkdirSync(data, { recursive: true });

const answers = (port) => new Promise((res) => {
  const s = createConnection({ host: "127.0.0.1", port });
  s.setTimeout(500, () => { s.destroy(); res(false); });
  s.once("connect", () => { s.destroy(); res(true); });
  s.once("error", () => res(false));
});
const has = (b) => spawnSync("sh", ["-c", `command -v ${b}`], { stdio: "ignore" }).status === 0;
async function waitPort(port, what) {
  for (let i = 0; i < 100; i++) { if (await answers(port)) return; await new Promise((r) => setTimeout(r, 100)); }
  throw new Error(`${what} did not start on 127.0.0.1:${port}`);
}
const children = [];
const need = [];

if (!(await answers(6379))) {
  if (!has("redis-server")) need.push("redis-server");
  else { children.push(spawn("redis-server", ["--bind", "127.0.0.1", "--port", "6379", "--save", "", "--appendonly", "no"], { stdio: "ignore" })); await waitPort(6379, "redis-server"); }
}
if (!(await answers(4222))) {
  if (!has("nats-server")) need.push("nats-server");
  else { children.push(spawn("nats-server", ["-js", "-a", "127.0.0.1", "-p", "4222", "-sd", join(data, "nats")], { stdio: "ignore" })); await waitPort(4222, "nats-server"); }
}
if (!process.env.LOOKOUT_TEST_DATABASE_URL && !(await answers(5432))) {
  const dirs = existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql").map((v) => `/usr/lib/postgresql/${v}/bin`) : [];
  const pgbin = [...dirs, ...(process.env.PATH ?? "").split(":")].find((d) => existsSync(join(d, "initdb")));
  if (!pgbin) need.push("postgresql");
  else {
    const pgdata = join(data, "pg");
    const asUser = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : [];
    if (asUser.length) spawnSync("chown", ["-R", "postgres", data]);
    if (!existsSync(join(pgdata, "PG_VERSION"))) spawnSync(asUser[0] ?? join(pgbin, "initdb"), [...asUser.slice(1), ...(asUser.length ? [join(pgbin, "initdb")] : []), "-D", pgdata, "-A", "trust", "-U", "postgres"], { stdio: "ignore" });
    const p = spawn(asUser[0] ?? join(pgbin, "postgres"), [...asUser.slice(1), ...(asUser.length ? [join(pgbin, "postgres")] : []), "-D", pgdata, "-p", "5432", "-h", "127.0.0.1", "-k", data], { stdio: "ignore" });
    children.push(p);
    await waitPort(5432, "postgres");
    await new Promise((r) => setTimeout(r, 500));
    spawnSync(join(pgbin, "createdb"), ["-h", "127.0.0.1", "-U", "postgres", "test"], { stdio: "ignore" });
  }
}
for (const b of ["docker-registry", "skopeo"]) if (!has(b)) need.push(b);
if (need.length) {
  console.error(`lookout: the tests need ${need.join(", ")}: on Debian/Ubuntu run \`sudo apt-get install ${need.join(" ").replace("postgresql", "postgresql")}\` (or point LOOKOUT_TEST_DATABASE_URL at a Postgres)`);
  process.exit(1);
}

const stopChildren = () => { for (const c of children) c.kill("SIGTERM"); };
process.on("exit", stopChildren);

let failedSteps = 0;
for (const [name, cmd, args] of [["typecheck", bin("tsc"), ["-p", "tsconfig.json", "--noEmit"]], ["lint", bin("eslint"), ["."]]]) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  console.log(r.status === 0 ? `${name}: ok` : `${name}: FAILED`);
  if (r.status !== 0) failedSteps++;
}
const out = join(root, ".lookout", "test", "vitest.json");
const extra = process.argv.slice(2);
const v = spawnSync(bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`, ...extra], { cwd: root, stdio: "inherit" });
let passed = 0, failed = failedSteps;
try {
  const j = JSON.parse(readFileSync(out, "utf8"));
  passed = j.numPassedTests;
  failed += j.numFailedTests + (j.numTotalTestSuites && j.testResults.filter((t) => t.status === "failed" && t.assertionResults.length === 0).length);
} catch {
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed`);
stopChildren();
process.exit(v.status !== 0 || failed > 0 ? 1 : 0);
