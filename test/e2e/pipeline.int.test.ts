import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { listScans } from "@lookout/db";
import { readOsvDir } from "@lookout/advisories";
import { ingestAdvisories } from "@lookout/advisory-store";
import { freePort, pushWithSkopeo, startReceiver, startRegistry, writeOciLayout, type Receiver, type TestRegistry } from "@lookout/testkit";
import { startSystem, type System } from "../support/system.js";

const TOKEN = "e2e-webhook-token-0123456789";

let sys: System;
let registry: TestRegistry;
let slack: Receiver;
let relay: Receiver; // sits between the registry and the webhook, to replay real notifications
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "lk-e2e-"));
  slack = await startReceiver({ path: "/services/T000/B000/XXXX" });
  const registryPort = await freePort();
  const host = `127.0.0.1:${registryPort}`;
  sys = await startSystem({
    registries: [{ id: "local", flavour: "distribution", host, insecure: true, webhookToken: TOKEN }],
    slackUrl: slack.url,
  });
  relay = await startReceiver();
  registry = await startRegistry({ port: registryPort, notify: { url: relay.url, token: TOKEN } });
  // Forward everything the registry sends to the webhook service, as the registry would.
  void (async () => {
    let forwarded = 0;
    while (registry.proc.exitCode === null) {
      await relay.waitFor(forwarded + 1, 600_000).catch(() => undefined);
      for (; forwarded < relay.received.length; forwarded++) {
        const r = relay.received[forwarded]!;
        await fetch(`${sys.urls.webhook}/hooks/local`, { method: "POST", headers: { authorization: String(r.headers.authorization), "content-type": String(r.headers["content-type"]) }, body: r.body }).catch(() => {});
      }
    }
  })();
}, 120_000);

afterAll(async () => {
  await registry?.stop();
  await sys?.stop();
  await slack?.close();
  await relay?.close();
  await rm(work, { recursive: true, force: true });
});

describe("a real registry push reaches Slack", () => {
  it("push → webhook → queue → scanner → Postgres → NATS → notifier → Slack, once", async () => {
    const layout = join(work, "img");
    const { manifestDigest } = await writeOciLayout(layout, "v1", {
      layers: [{ files: { "etc/": "", "etc/os-release": 'ID=debian\nVERSION_ID="12"\n', "hello.txt": "hello lookout\n" } }],
      config: { User: "1000", Env: ["PATH=/usr/bin", "SECRET_TOKEN=x"], Labels: { "org.opencontainers.image.source": "https://example.test/app" } },
    });
    const started = Date.now();
    await pushWithSkopeo(layout, "v1", `${registry.host}/team-a/app:v1`);

    const [msg] = await slack.waitFor(1, 30_000);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(30_000);
    const text = JSON.stringify(msg!.json);
    expect(text).toContain("team-a/app");
    expect(text).toContain(manifestDigest.slice(7, 19));

    const scans = await listScans(sys.db.db);
    expect(scans).toHaveLength(1);
    expect(scans[0]).toMatchObject({ status: "succeeded", repository: "team-a/app", digest: manifestDigest, registry: registry.host });

    // The image as recorded, read back through the api with its token.
    const res = await fetch(`${sys.urls.api}/api/v1/images`, { headers: { authorization: `Bearer ${sys.apiToken}` } });
    const images = ((await res.json()) as any).items;
    expect(images[0]).toMatchObject({ digest: manifestDigest, repository: "team-a/app", tags: ["v1"], platform: "linux/amd64" });
    const img: any = await (await fetch(`${sys.urls.api}/api/v1/images/${images[0].id}`, { headers: { authorization: `Bearer ${sys.apiToken}` } })).json();
    expect(img).toMatchObject({ user: "1000", envKeys: ["PATH", "SECRET_TOKEN"], labels: { "org.opencontainers.image.source": "https://example.test/app" } });
    expect(img.layers).toHaveLength(1);
    const byDigest: any = await (await fetch(`${sys.urls.api}/api/v1/images/${manifestDigest}?repository=team-a/app`, { headers: { authorization: `Bearer ${sys.apiToken}` } })).json();
    expect(byDigest.id).toBe(img.id);
    expect(JSON.stringify(img)).not.toContain("SECRET_TOKEN=x");

    // The registry's own manifest-push notification delivered twice more: still one scan, one message.
    const push = relay.received.find((r) => JSON.stringify(r.json).includes('"action": "push"') || (r.json as any)?.events?.some((e: any) => e.action === "push" && e.target.mediaType?.includes("manifest")));
    expect(push).toBeDefined();
    for (let i = 0; i < 2; i++) {
      const r = await fetch(`${sys.urls.webhook}/hooks/local`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": String(push!.headers["content-type"]) }, body: push!.body });
      expect(r.status).toBe(202);
    }
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await listScans(sys.db.db)).toHaveLength(1);
    expect(slack.received).toHaveLength(1);
  });

  it("reports the real advisory that affects a Debian image's package", async () => {
    const fixtures = join(import.meta.dirname, "../fixtures");
    const imported = await ingestAdvisories(sys.db.db, readOsvDir(join(fixtures, "osv")), { sourceName: "test" });
    expect(imported.added).toBe(2);
    const layout = join(work, "deb9");
    const { manifestDigest } = await writeOciLayout(layout, "9", {
      layers: [
        { files: { "etc/": "", "etc/os-release": readFileSync(join(fixtures, "debian9-root/etc/os-release")) } },
        { files: { "var/": "", "var/lib/": "", "var/lib/dpkg/": "", "var/lib/dpkg/status": readFileSync(join(fixtures, "debian9-root/var/lib/dpkg/status")) } },
      ],
    });
    const before = slack.received.length;
    await pushWithSkopeo(layout, "9", `${registry.host}/team-a/debian:9`);
    await slack.waitFor(before + 1, 30_000);
    const text = JSON.stringify(slack.received[before]!.json);
    expect(text).toContain("team-a/debian");
    expect(text).toContain("DLA-3051-1");
    expect(text).toContain("tzdata");
    expect(text).not.toContain("DLA-3008-1"); // openssl is above that fix
    const scan = (await listScans(sys.db.db)).find((s) => s.digest === manifestDigest)!;
    expect(scan).toMatchObject({ status: "succeeded", packageCount: 357, findingCount: 1 });
  });

  it("never fetches from a host the operator did not configure", async () => {
    const r = await fetch(`${sys.urls.webhook}/hooks/local`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/vnd.docker.distribution.events.v1+json" },
      body: JSON.stringify({ events: [{ id: "evil-1", action: "push", timestamp: new Date().toISOString(), target: {
        mediaType: "application/vnd.oci.image.manifest.v1+json", repository: "team-a/app", tag: "evil",
        digest: "sha256:" + "a".repeat(64), url: "http://169.254.169.254/v2/team-a/app/manifests/sha256:" + "a".repeat(64),
      } }] }),
    });
    expect(r.status).toBe(202);
    expect(((await r.json()) as any).rejected[0]).toContain("169.254.169.254 is not configured");
    await new Promise((res) => setTimeout(res, 500));
    expect((await listScans(sys.db.db)).map((s) => s.digest)).not.toContain("sha256:" + "a".repeat(64));
  });
});
