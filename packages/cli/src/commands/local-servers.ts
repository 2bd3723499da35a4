import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";

/** True when something accepts TCP connections at host:port within 500 ms. */
export function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host, port });
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.setTimeout(500, () => done(false));
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
  });
}

function onPath(bin: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${bin}`], { stdio: "ignore" }).status === 0;
}

export interface Started {
  name: string;
  proc: ChildProcess;
}

const HOW = {
  "nats-server": "install it: Debian/Ubuntu `sudo apt-get install nats-server`, macOS `brew install nats-server`, or set NATS_URL to a running server",
  "redis-server": "install it: Debian/Ubuntu `sudo apt-get install redis-server`, macOS `brew install redis`, or set REDIS_URL to a running server",
} as const;

/**
 * When nothing answers at the default NATS/Redis URL, start nats-server -js / redis-server from
 * PATH with their data under the data folder. Returns what it started (the caller stops them).
 */
export async function ensureLocalServers(urls: { nats: string; redis: string }, dataDir: string, log: (m: string) => void): Promise<Started[]> {
  const started: Started[] = [];
  const nats = new URL(urls.nats);
  const natsPort = Number(nats.port || 4222);
  if (!(await answers(nats.hostname, natsPort))) {
    if (!isLocal(nats.hostname)) throw new Error(`NATS at ${urls.nats} does not answer`);
    if (!onPath("nats-server")) throw new Error(`nats-server is not running at ${urls.nats} and not on PATH; ${HOW["nats-server"]}`);
    const dir = join(dataDir, "nats");
    mkdirSync(dir, { recursive: true });
    started.push({ name: "nats-server", proc: spawn("nats-server", ["-js", "-a", nats.hostname, "-p", String(natsPort), "-sd", dir], { stdio: "ignore" }) });
    log(`started nats-server -js on ${nats.hostname}:${natsPort} (data in ${dir})`);
  }
  const redis = new URL(urls.redis);
  const redisPort = Number(redis.port || 6379);
  if (!(await answers(redis.hostname, redisPort))) {
    if (!isLocal(redis.hostname)) throw new Error(`Redis at ${urls.redis} does not answer`);
    if (!onPath("redis-server")) throw new Error(`redis-server is not running at ${urls.redis} and not on PATH; ${HOW["redis-server"]}`);
    const dir = join(dataDir, "redis");
    mkdirSync(dir, { recursive: true });
    started.push({ name: "redis-server", proc: spawn("redis-server", ["--bind", redis.hostname, "--port", String(redisPort), "--dir", dir, "--save", "60 1", "--appendonly", "no"], { stdio: "ignore" }) });
    log(`started redis-server on ${redis.hostname}:${redisPort} (data in ${dir})`);
  }
  for (const s of started) {
    const [host, port] = s.name === "nats-server" ? [nats.hostname, natsPort] : [redis.hostname, redisPort];
    const deadline = Date.now() + 10_000;
    while (!(await answers(host, port))) {
      if (s.proc.exitCode !== null) throw new Error(`${s.name} exited with status ${s.proc.exitCode}`);
      if (Date.now() > deadline) throw new Error(`${s.name} did not start listening on ${host}:${port} within 10 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return started;
}

function isLocal(h: string): boolean {
  return h === "127.0.0.1" || h === "localhost" || h === "::1" || h === "[::1]";
}

export async function stopStarted(started: Started[]): Promise<void> {
  await Promise.all(started.map((s) => new Promise<void>((r) => {
    if (s.proc.exitCode !== null) return r();
    s.proc.once("exit", () => r());
    s.proc.kill("SIGTERM");
    setTimeout(() => { s.proc.kill("SIGKILL"); r(); }, 5_000).unref();
  })));
}
