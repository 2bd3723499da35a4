import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDelivererConformance } from "../conformance.js";
import { createHttpTransport } from "../http.js";
import type { Notification } from "../notification.js";
import { sampleNotification } from "../test-notifications.js";
import { startHttpReceiver, type FakeHttpReceiver, type ReceivedRequest } from "../testing/http-receiver.js";
import { createWebhookDeliverer } from "./deliverer.js";
import { buildWebhookBody } from "./payload.js";
import { verifyStandardWebhook } from "./signature.js";

const testPolicy = { allowLoopback: true, allowHttp: true };
// A test-generated secret (24 random-looking bytes, fixed so failures are reproducible).
const SECRET = "whsec_" + Buffer.from("lookout-channels-test-key-0123").toString("base64");
const cfg = { source: "https://lookout.test", maxFindingsPerImage: 20 };

function verified(req: ReceivedRequest) {
  return verifyStandardWebhook(SECRET, req.headers, req.body);
}

runDelivererConformance({
  name: "webhook",
  timeoutMs: 400,
  notification: sampleNotification(),
  async setup(timeoutMs) {
    const rx = await startHttpReceiver();
    rx.script("/transient", [{ status: 503 }]);
    rx.script("/permanent", [{ status: 410 }]);
    rx.script("/hang", ["hang"]);
    const transport = createHttpTransport();
    return {
      deliverer: createWebhookDeliverer({ ...cfg, timeoutMs }, { policy: testPolicy, transport }),
      destination: (mode) => ({ url: `${rx.url}/${mode}`, secret: SECRET }),
      accepted: () => rx.on("/ok"),
      close: async () => {
        transport.close();
        await rx.close();
      },
    };
  },
  expectDelivered(accepted, n: Notification) {
    const req = accepted as ReceivedRequest;
    expect(verified(req).id).toBe(n.id);
    expect(req.headers["content-type"]).toBe("application/json");
    expect(req.body.equals(buildWebhookBody(n, "standard", cfg).body)).toBe(true);
  },
});

describe("webhook deliverer against a verifying receiver", () => {
  let rx: FakeHttpReceiver;
  const transport = createHttpTransport();
  let clock = Date.parse("2026-11-29T12:00:00Z");
  const hook = createWebhookDeliverer({ ...cfg, timeoutMs: 2000 }, { policy: testPolicy, transport, now: () => clock });
  beforeAll(async () => {
    rx = await startHttpReceiver();
  });
  afterAll(async () => {
    transport.close();
    await rx.close();
  });

  it("a retry carries the same webhook-id and body with a fresh timestamp and signature", async () => {
    rx.script("/retry", [{ status: 500 }, { status: 204 }]);
    const n = sampleNotification();
    expect(await hook.deliver(n, { url: `${rx.url}/retry`, secret: SECRET })).toMatchObject({ ok: false, permanent: false, status: 500 });
    clock += 30_000;
    expect(await hook.deliver(n, { url: `${rx.url}/retry`, secret: SECRET })).toEqual({ ok: true, status: 204 });
    const [a, b] = rx.on("/retry");
    expect(a!.headers["webhook-id"]).toBe(b!.headers["webhook-id"]);
    expect(Number(b!.headers["webhook-timestamp"]) - Number(a!.headers["webhook-timestamp"])).toBe(30);
    expect(a!.body.equals(b!.body)).toBe(true);
    expect(() => verifyStandardWebhook(SECRET, b!.headers, b!.body, { now: clock })).not.toThrow();
    // The receiver's replay window rejects the first attempt's timestamp once it is stale.
    expect(() => verifyStandardWebhook(SECRET, a!.headers, a!.body, { now: clock + 301_000 })).toThrow(/too old/);
  });

  it("CloudEvents structured mode is still signed", async () => {
    const n = sampleNotification();
    expect(await hook.deliver(n, { url: `${rx.url}/ce`, secret: SECRET, format: "cloudevents" })).toMatchObject({ ok: true });
    const req = rx.on("/ce")[0]!;
    expect(req.headers["content-type"]).toBe("application/cloudevents+json; charset=utf-8");
    expect(() => verifyStandardWebhook(SECRET, req.headers, req.body, { now: clock })).not.toThrow();
    const ce = JSON.parse(req.body.toString()) as Record<string, unknown>;
    expect(ce).toMatchObject({ specversion: "1.0", id: n.id, source: "https://lookout.test", type: "io.lookout.image.vulnerabilities.found" });
  });

  it.each([
    [400, true],
    [401, true],
    [404, true],
    [410, true],
    [408, false],
    [429, false],
    [502, false],
    [301, true],
    [302, false],
  ])("HTTP %s → permanent=%s, redirects never followed", async (status, perm) => {
    rx.script(`/s${status}`, [{ status, headers: { location: `${rx.url}/ok`, "retry-after": "3" } }]);
    const before = rx.requests.length;
    const r = await hook.deliver(sampleNotification(), { url: `${rx.url}/s${status}`, secret: SECRET });
    expect(r).toMatchObject({ ok: false, permanent: perm, status });
    if (status === 429) expect(r).toMatchObject({ retryAfterMs: 3000 });
    expect(rx.requests.length - before).toBe(1);
  });

  it("is cheap: 1000 deliveries over kept-alive connections", async () => {
    const fast = createWebhookDeliverer({ ...cfg, timeoutMs: 5000 }, { policy: testPolicy, transport });
    const dest = { url: `${rx.url}/bench`, secret: SECRET };
    for (let i = 0; i < 50; i++) await fast.deliver(sampleNotification({ id: `ntf_warm_${i}` }), { ...dest, url: `${rx.url}/warm` });
    const conns = rx.connections();
    const t0 = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < 1000) {
        const i = next++;
        const r = await fast.deliver(sampleNotification({ id: `ntf_bench_${i}` }), dest);
        expect(r.ok).toBe(true);
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    const perSec = 1000 / ((performance.now() - t0) / 1000);
    expect(rx.on("/bench")).toHaveLength(1000);
    // Keep-alive: 20 concurrent workers need about 20 sockets, not 1000.
    expect(rx.connections() - conns).toBeLessThanOrEqual(40);
    // Loose floor: client and receiver share one process on a shared 2-core box (300-600/s seen).
    expect(perSec).toBeGreaterThan(100);
    console.info(`webhook deliveries/s (local receiver, concurrency 20): ${perSec.toFixed(0)}`);
  });

  it("a malformed secret is a permanent failure, not an exception", async () => {
    const r = await hook.deliver(sampleNotification(), { url: `${rx.url}/ok`, secret: "whsec_***" });
    expect(r).toMatchObject({ ok: false, permanent: true });
  });
});
