import { spawn, execFile, type ChildProcess } from "node:child_process";
import { createSign, randomUUID, X509Certificate } from "node:crypto";
import { writeFile, readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A free loopback port (bound then released; a clash in between is unlikely). */
export async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export type RegistryAuth =
  | { kind: "none" }
  | { kind: "htpasswd"; path: string }
  | { kind: "token"; realm: string; service: string; issuer: string; certBundle: string };

export interface RunningRegistry {
  host: string;
  stop(): Promise<void>;
}

/** Start Debian's docker-registry (distribution 2.8) on 127.0.0.1 with storage in `storageDir`. */
export async function startRegistry(workDir: string, name: string, storageDir: string, auth: RegistryAuth): Promise<RunningRegistry> {
  const port = await freePort();
  const lines = [
    "version: 0.1",
    "log:",
    "  level: error",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${storageDir}`,
    "  delete:",
    "    enabled: true",
    "http:",
    `  addr: 127.0.0.1:${port}`,
  ];
  if (auth.kind === "htpasswd") lines.push("auth:", "  htpasswd:", "    realm: lookout-test", `    path: ${auth.path}`);
  if (auth.kind === "token") {
    lines.push("auth:", "  token:", `    realm: ${auth.realm}`, `    service: ${auth.service}`, `    issuer: ${auth.issuer}`, `    rootcertbundle: ${auth.certBundle}`);
  }
  const cfg = join(workDir, `${name}.yml`);
  await writeFile(cfg, lines.join("\n") + "\n");
  const child: ChildProcess = spawn("/usr/bin/docker-registry", ["serve", cfg], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const host = `127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${stderr}`);
    try {
      await fetch(`http://${host}/v2/`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`docker-registry did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    host,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Push an OCI layout tag with skopeo (`--all` keeps every platform of an index). */
export async function skopeoPush(layoutDir: string, tag: string, dest: string, all = false, format?: "v2s2" | "oci"): Promise<void> {
  const args = ["copy", "--quiet", "--dest-tls-verify=false", ...(all ? ["--all"] : []), ...(format ? ["--format", format] : []), `oci:${layoutDir}:${tag}`, `docker://${dest}`];
  await run("skopeo", args, { timeout: 60_000 });
}

/** bcrypt htpasswd line, as `htpasswd -B` writes it. */
export async function htpasswdLine(user: string, password: string): Promise<string> {
  const bcrypt = await import("bcryptjs");
  return `${user}:${bcrypt.hashSync(password, 5)}\n`;
}

export interface TokenServer {
  realm: string;
  /** Requests seen (for asserting caching). */
  requests: { scope: string | null; authorized: boolean }[];
  stop(): Promise<void>;
}

/** Self-signed RSA cert and key (openssl) for signing registry tokens. */
export async function makeSigningCert(dir: string): Promise<{ keyPath: string; certPath: string }> {
  const keyPath = join(dir, "token.key");
  const certPath = join(dir, "token.crt");
  await run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyPath, "-out", certPath, "-days", "2", "-subj", "/CN=lookout-test-token"]);
  return { keyPath, certPath };
}

const b64u = (b: Buffer | string) => Buffer.from(b).toString("base64url");

/**
 * A Docker token server (distribution's token auth spec): Basic-authenticates the user, then
 * signs an RS256 JWT whose x5c header carries the cert the registry trusts.
 */
export async function startTokenServer(opts: { keyPath: string; certPath: string; issuer: string; service: string; users: Record<string, string>; expiresIn?: number }): Promise<TokenServer> {
  const key = await readFile(opts.keyPath, "utf8");
  const cert = new X509Certificate(await readFile(opts.certPath));
  const requests: TokenServer["requests"] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const scope = url.searchParams.get("scope");
    const auth = req.headers.authorization ?? "";
    const [user, pass] = auth.startsWith("Basic ") ? Buffer.from(auth.slice(6), "base64").toString().split(":") : [];
    const ok = user !== undefined && opts.users[user] === pass;
    requests.push({ scope, authorized: ok });
    if (!ok) {
      res.writeHead(401, { "content-type": "application/json" }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    }
    const access = (scope ?? "")
      .split(" ")
      .filter(Boolean)
      .map((s) => {
        const [type, name, actions] = s.split(":");
        return { type, name, actions: (actions ?? "").split(",") };
      });
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: "RS256", typ: "JWT", x5c: [cert.raw.toString("base64")] };
    const claims = { iss: opts.issuer, sub: user, aud: opts.service, exp: now + (opts.expiresIn ?? 300), nbf: now - 10, iat: now, jti: randomUUID(), access };
    const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
    const sig = createSign("RSA-SHA256").update(input).sign(key);
    const token = `${input}.${b64u(sig)}`;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token, access_token: token, expires_in: opts.expiresIn ?? 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    requests,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
