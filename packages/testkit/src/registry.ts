import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitUntil } from "./net.js";

export interface TestRegistry {
  host: string; // 127.0.0.1:port
  url: string;
  dir: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  /** Listen on this port (default: a free one). */
  port?: number;
  /** Where the registry sends notifications, with this bearer token. */
  notify?: { url: string; token: string };
  /** htpasswd file contents (bcrypt) to require basic auth. */
  htpasswd?: string;
  extraYaml?: string;
}

/** Debian's real docker-registry (CNCF Distribution 2.8) on a free loopback port. */
export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), "lk-registry-"));
  const port = opts.port ?? (await freePort());
  const host = `127.0.0.1:${port}`;
  let yaml = `version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(dir, "data")}
  delete:
    enabled: true
http:
  addr: ${host}
  host: http://${host}
`;
  if (opts.htpasswd) {
    await writeFile(join(dir, "htpasswd"), opts.htpasswd);
    yaml += `auth:\n  htpasswd:\n    realm: lookout-test\n    path: ${join(dir, "htpasswd")}\n`;
  }
  if (opts.notify) {
    yaml += `notifications:
  endpoints:
    - name: lookout
      url: ${opts.notify.url}
      headers:
        Authorization: [Bearer ${opts.notify.token}]
      timeout: 2s
      threshold: 5
      backoff: 1s
`;
  }
  if (opts.extraYaml) yaml += opts.extraYaml;
  await writeFile(join(dir, "config.yml"), yaml);
  const proc = spawn("docker-registry", ["serve", join(dir, "config.yml")], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  proc.stderr!.on("data", (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  await waitUntil(async () => {
    if (proc.exitCode !== null) throw new Error(`docker-registry exited: ${stderr}`);
    const r = await fetch(`http://${host}/v2/`);
    return r.status === 200 || r.status === 401;
  }, "docker-registry to answer", 15_000);
  return {
    host, url: `http://${host}`, dir, proc,
    stop: async () => {
      if (proc.exitCode === null) {
        proc.kill("SIGTERM");
        await new Promise((r) => proc.once("exit", r));
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
