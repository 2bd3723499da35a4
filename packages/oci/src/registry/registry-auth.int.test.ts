import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanLayer } from "../layer/scan-layer.js";
import type { ImageSource } from "../source.js";
import { htpasswdLine, makeSigningCert, skopeoPush, startRegistry, startTokenServer, writeOciLayout, type RunningRegistry, type TokenServer, codeOf } from "../testing/index.js";
import { RegistryClient } from "./client.js";
import { parseDockerConfigAuths } from "./config.js";
import { nodeRequester, type HttpRequester } from "./http.js";

// One storage directory served by three real docker-registry processes: anonymous (used to
// push), htpasswd basic auth, and bearer-token auth against the token server below.
let dir: string;
let anon: RunningRegistry;
let basic: RunningRegistry;
let bearer: RunningRegistry;
let tokens: TokenServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lkt-reg-auth-"));
  const storage = join(dir, "storage");
  await writeOciLayout(join(dir, "layout"), "v1", [
    {
      labels: { team: "core" },
      layers: [
        { entries: [{ name: "etc/os-release", content: "ID=debian\n" }, { name: "var/lib/dpkg/status", content: "Package: base\n" }] },
        { compression: "zstd", entries: [{ name: "etc/app.conf", content: "zstd layer\n" }] },
      ],
    },
  ]);
  anon = await startRegistry(dir, "anon", storage, { kind: "none" });
  await skopeoPush(join(dir, "layout"), "v1", `${anon.host}/team/app:v1`);
  await writeFile(join(dir, "htpasswd"), await htpasswdLine("alice", "s3cret"));
  basic = await startRegistry(dir, "basic", storage, { kind: "htpasswd", path: join(dir, "htpasswd") });
  const cert = await makeSigningCert(dir);
  tokens = await startTokenServer({ ...cert, issuer: "lookout-test-issuer", service: "lookout-registry", users: { bob: "hunter2" } });
  bearer = await startRegistry(dir, "bearer", storage, { kind: "token", realm: tokens.realm, service: "lookout-registry", issuer: "lookout-test-issuer", certBundle: cert.certPath });
}, 60_000);

afterAll(async () => {
  await Promise.all([anon?.stop(), basic?.stop(), bearer?.stop(), tokens?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

async function readAll(img: ImageSource): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const [i, l] of img.layers.entries()) {
    const out = await scanLayer(await img.openLayer(l), { digest: l.digest, mediaType: l.mediaType, wants: () => true, scratchDir: join(dir, "scratch", `${Date.now()}-${i}`) });
    for (const [p, f] of out.files) files.set(p, (await import("node:fs")).readFileSync(f.hostPath!, "utf8"));
  }
  return files;
}

async function pull(client: RegistryClient, host: string) {
  const r = await client.resolve({ registry: host, repository: "team/app", tag: "v1" });
  if (r.kind !== "images") throw new Error("not an image");
  return r.images[0]!;
}

describe("registry client against docker-registry", () => {
  it("pulls anonymously: config summary, gzip and zstd layers verified and reconstructed", async () => {
    const img = await pull(new RegistryClient({ registries: [{ host: anon.host, insecure: true }] }), anon.host);
    expect(img.config.labels).toEqual({ team: "core" });
    expect(img.config.envKeys).toEqual(["PATH", "SECRET"]);
    expect(img.platform).toEqual({ os: "linux", architecture: "amd64" });
    const files = await readAll(img);
    expect(files.get("/etc/os-release")).toBe("ID=debian\n");
    expect(files.get("/etc/app.conf")).toBe("zstd layer\n");
  });

  it("refuses a host that is not configured before any network I/O", async () => {
    let calls = 0;
    const real = nodeRequester();
    const counting: HttpRequester = (u, i) => (calls++, real(u, i));
    const client = new RegistryClient({ registries: [{ host: anon.host, insecure: true }], request: counting });
    expect(await codeOf(client.resolve({ registry: "evil.example.test", repository: "x", tag: "v1" }))).toBe("LKT_ERR_REGISTRY_NOT_CONFIGURED");
    expect(await codeOf(client.resolve({ registry: basic.host, repository: "team/app", tag: "v1" }))).toBe("LKT_ERR_REGISTRY_NOT_CONFIGURED");
    expect(calls).toBe(0);
  });

  it("HEAD resolves a tag to the manifest digest, and a digest pull verifies it", async () => {
    const client = new RegistryClient({ registries: [{ host: anon.host, insecure: true }] });
    const digest = await client.headDigest({ registry: anon.host, repository: "team/app", tag: "v1" });
    const r = await client.resolve({ registry: anon.host, repository: "team/app", digest });
    expect(r.kind === "images" && r.images[0]!.manifestDigest).toBe(digest);
  });

  it("htpasswd: refuses without credentials, accepts config and docker config.json credentials", async () => {
    const none = new RegistryClient({ registries: [{ host: basic.host, insecure: true }] });
    expect(await codeOf(pull(none, basic.host))).toBe("LKT_ERR_REGISTRY_AUTH");
    const wrong = new RegistryClient({ registries: [{ host: basic.host, insecure: true, username: "alice", password: "nope" }] });
    expect(await codeOf(pull(wrong, basic.host))).toBe("LKT_ERR_REGISTRY_AUTH");
    const fromConfig = new RegistryClient({ registries: [{ host: basic.host, insecure: true, username: "alice", password: "s3cret" }] });
    expect((await readAll(await pull(fromConfig, basic.host))).get("/etc/os-release")).toBe("ID=debian\n");
    const dockerAuths = parseDockerConfigAuths(JSON.stringify({ auths: { [`http://${basic.host}`]: { auth: Buffer.from("alice:s3cret").toString("base64") } } }));
    const fromDockerConfig = new RegistryClient({ registries: [{ host: basic.host, insecure: true }], dockerAuths });
    expect((await pull(fromDockerConfig, basic.host)).layers).toHaveLength(2);
  });

  it("bearer: runs the token flow, caches the token per scope, refuses bad credentials", async () => {
    const bad = new RegistryClient({ registries: [{ host: bearer.host, insecure: true, username: "bob", password: "wrong" }] });
    expect(await codeOf(pull(bad, bearer.host))).toBe("LKT_ERR_REGISTRY_AUTH");
    const client = new RegistryClient({ registries: [{ host: bearer.host, insecure: true, username: "bob", password: "hunter2" }] });
    const before = tokens.requests.length;
    const img = await pull(client, bearer.host);
    expect((await readAll(img)).get("/etc/app.conf")).toBe("zstd layer\n");
    // manifest + config + 2 layers, one token for the scope.
    expect(client.auth.tokenFetches).toBe(1);
    expect(tokens.requests.slice(before).at(-1)).toEqual({ scope: "repository:team/app:pull", authorized: true });
  });

  it("bearer: a token the registry rejects is replaced once with a fresh one", async () => {
    let spoil = true;
    const real = nodeRequester();
    const spoiling: HttpRequester = (u, init) => {
      const headers = { ...init.headers };
      if (spoil && u.includes("/blobs/") && headers.Authorization) {
        spoil = false;
        headers.Authorization = "Bearer revoked";
      }
      return real(u, { ...init, headers });
    };
    const client = new RegistryClient({ registries: [{ host: bearer.host, insecure: true, username: "bob", password: "hunter2" }], request: spoiling });
    const img = await pull(client, bearer.host);
    expect(spoil).toBe(false);
    expect(client.auth.tokenFetches).toBe(2);
    expect(img.configDigest).toMatch(/^sha256:/);
  });

  it("bearer: an expired token is renewed before use", async () => {
    let now = Date.now();
    const client = new RegistryClient({ registries: [{ host: bearer.host, insecure: true, username: "bob", password: "hunter2" }], now: () => now });
    await pull(client, bearer.host);
    expect(client.auth.tokenFetches).toBe(1);
    now += 3600_000;
    await pull(client, bearer.host);
    expect(client.auth.tokenFetches).toBe(2);
  });

  it("gives typed 404s for a missing tag and a missing blob", async () => {
    const client = new RegistryClient({ registries: [{ host: anon.host, insecure: true }] });
    expect(await codeOf(client.resolve({ registry: anon.host, repository: "team/app", tag: "nope" }))).toBe("LKT_ERR_BLOB_NOT_FOUND");
    const img = await pull(client, anon.host);
    const ghost = { ...img.layers[0]!, digest: "sha256:" + "0".repeat(64) };
    const store = client.store(anon.host, "team/app");
    expect(await codeOf(store.openBlob(ghost))).toBe("LKT_ERR_BLOB_NOT_FOUND");
  });

  it("caps the manifest size", async () => {
    const client = new RegistryClient({ registries: [{ host: anon.host, insecure: true }], maxManifestBytes: 64 });
    expect(await codeOf(pull(client, anon.host))).toBe("LKT_ERR_MANIFEST_TOO_LARGE");
  });
});
