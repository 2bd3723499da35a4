import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDelivererConformance } from "../conformance.js";
import { createHttpTransport } from "../http.js";
import type { Notification } from "../notification.js";
import { HOSTILE, sampleImage, sampleNotification } from "../test-notifications.js";
import { startHttpReceiver, type FakeHttpReceiver, type ReceivedRequest } from "../testing/http-receiver.js";
import { createSlackDeliverer } from "./deliverer.js";
import { buildSlackMessage } from "./message.js";

// Tests talk to a receiver on 127.0.0.1 over http: the policy must allow both explicitly.
const testPolicy = { allowLoopback: true, allowHttp: true };

runDelivererConformance({
  name: "slack",
  timeoutMs: 400,
  notification: sampleNotification(),
  async setup(timeoutMs) {
    const rx = await startHttpReceiver();
    rx.script("/transient", [{ status: 500, body: "rollup_error" }]);
    rx.script("/permanent", [{ status: 400, body: "invalid_payload" }]);
    rx.script("/hang", ["hang"]);
    const transport = createHttpTransport();
    return {
      deliverer: createSlackDeliverer({ timeoutMs }, { policy: testPolicy, transport }),
      destination: (mode) => ({ url: `${rx.url}/${mode}` }),
      accepted: () => rx.on("/ok"),
      close: async () => {
        transport.close();
        await rx.close();
      },
    };
  },
  expectDelivered(accepted, n: Notification) {
    const req = accepted as ReceivedRequest;
    expect(req.method).toBe("POST");
    expect(req.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(req.body.equals(Buffer.from(JSON.stringify(buildSlackMessage(n))))).toBe(true);
  },
});

describe("slack deliverer against a local Slack stand-in", () => {
  let rx: FakeHttpReceiver;
  const transport = createHttpTransport();
  const slack = createSlackDeliverer({ timeoutMs: 2000 }, { policy: testPolicy, transport });
  beforeAll(async () => {
    rx = await startHttpReceiver();
  });
  afterAll(async () => {
    transport.close();
    await rx.close();
  });

  it("429 with Retry-After, then 200: the first attempt asks to wait, the retry succeeds with the same body", async () => {
    rx.script("/rl", [{ status: 429, body: "rate_limited", headers: { "retry-after": "1" } }, { status: 200, body: "ok" }]);
    const n = sampleNotification();
    const first = await slack.deliver(n, { url: `${rx.url}/rl` });
    expect(first).toEqual({ ok: false, permanent: false, reason: "slack: rate limited (429)", status: 429, retryAfterMs: 1000 });
    await new Promise((r) => setTimeout(r, first.ok ? 0 : first.retryAfterMs));
    expect(await slack.deliver(n, { url: `${rx.url}/rl` })).toEqual({ ok: true, status: 200 });
    const reqs = rx.on("/rl");
    expect(reqs).toHaveLength(2);
    expect(reqs[1]!.at - reqs[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(reqs[0]!.body.equals(reqs[1]!.body)).toBe(true);
  });

  it.each([
    [400, "invalid_payload"],
    [404, "channel_not_found"],
    [410, "channel_is_archived"],
    [403, "no_service"],
  ])("HTTP %s %s is permanent", async (status, body) => {
    rx.script(`/p${status}`, [{ status, body }]);
    const r = await slack.deliver(sampleNotification(), { url: `${rx.url}/p${status}` });
    expect(r).toMatchObject({ ok: false, permanent: true, status });
    expect(!r.ok && r.reason).toContain(body);
  });

  it("does not follow redirects", async () => {
    rx.script("/moved", [{ status: 302, headers: { location: `${rx.url}/ok` } }]);
    const before = rx.requests.length;
    const r = await slack.deliver(sampleNotification(), { url: `${rx.url}/moved` });
    expect(r.ok).toBe(false);
    expect(rx.requests.length - before).toBe(1);
  });

  it("caps the error body it reads", async () => {
    rx.script("/big", [{ status: 500, body: "x".repeat(2_000_000) }]);
    const r = await slack.deliver(sampleNotification(), { url: `${rx.url}/big` });
    expect(r).toMatchObject({ ok: false, permanent: false, status: 500 });
    expect(!r.ok && r.reason.length).toBeLessThan(200);
  });

  it("refuses loopback destinations under the default policy without sending anything", async () => {
    const strict = createSlackDeliverer({}, { transport });
    const before = rx.requests.length;
    const r = await strict.deliver(sampleNotification(), { url: `${rx.url}/ok` });
    expect(r).toMatchObject({ ok: false, permanent: true });
    expect(!r.ok && r.reason).toMatch(/scheme http:|loopback/);
    expect(rx.requests.length).toBe(before);
  });

  it("connects to the address the policy pinned, keeping the URL's host name in Host", async () => {
    const port = new URL(rx.url).port;
    let lookups = 0;
    const resolve = async (host: string) => {
      lookups++;
      expect(host).toBe("hooks.slack.test");
      return [{ address: "127.0.0.1", family: 4 }];
    };
    const pinned = createSlackDeliverer({}, { policy: { ...testPolicy, resolve }, transport });
    expect(await pinned.deliver(sampleNotification(), { url: `http://hooks.slack.test:${port}/pinned` })).toMatchObject({ ok: true });
    expect(rx.on("/pinned")[0]!.headers.host).toBe(`hooks.slack.test:${port}`);
    expect(lookups).toBe(1); // resolved once, by the policy; the transport did not look it up again
  });

  it("hostile names arrive escaped: no mention or link token from input reaches Slack", async () => {
    const img = sampleImage({
      repository: HOSTILE.repository,
      tags: [HOSTILE.tag],
      findings: [{ advisoryId: HOSTILE.advisoryId, url: HOSTILE.url, packageName: HOSTILE.packageName, installedVersion: HOSTILE.version, severity: "high" }],
    });
    expect(await slack.deliver(sampleNotification({ images: [img] }), { url: `${rx.url}/hostile` })).toMatchObject({ ok: true });
    const sent = rx.on("/hostile")[0]!.body.toString();
    expect(sent).not.toMatch(/<!(channel|here)|<@U|<https:\/\/phish/);
    expect(sent).toContain("&lt;!channel&gt;");
  });
});
