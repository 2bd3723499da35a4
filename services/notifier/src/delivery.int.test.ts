import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notificationIdFor, verifyStandardWebhook } from "@lookout/channels";
import { startHttpReceiver, type FakeHttpReceiver } from "@lookout/channels/testing";
import { waitUntil } from "@lookout/testkit";
import { FINDINGS, sleep, startHarness, WEBHOOK_SECRET, type Harness } from "./test-support.js";

// One notifier + api against real Postgres/Redis/NATS; local HTTP receivers stand in for Slack
// and webhook consumers. Each test owns a repository prefix so its subscriptions see only its events.
let h: Harness;
let rx: FakeHttpReceiver;

beforeAll(async () => {
  rx = await startHttpReceiver();
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
  await rx?.close();
});

const only = (prefix: string) => ({ repositories: [`${prefix}/*`] });
const webhook = (path: string) => ({ url: `${rx.url}${path}`, secret: WEBHOOK_SECRET });

describe("slack", () => {
  it("429 with Retry-After: delivered once, no sooner than the asked delay", async () => {
    rx.script("/slack/429", [{ status: 429, body: "rate_limited", headers: { "retry-after": "2" } }, { status: 200, body: "ok" }]);
    const sub = await h.subscribe({ name: "slack-429", channel: "slack", destination: { url: `${rx.url}/slack/429` }, filter: only("rl") });
    const eventId = await h.publishScan({ repository: "rl/app", tag: "v1" });
    const d = await h.deliveryOf(sub, eventId, ["delivered"]);
    expect(d.attempts).toBe(2);
    const reqs = rx.on("/slack/429");
    expect(reqs).toHaveLength(2);
    expect(reqs[1]!.at - reqs[0]!.at).toBeGreaterThanOrEqual(2000);
    const msg = JSON.parse(reqs[1]!.body.toString());
    expect(JSON.stringify(msg)).toContain("rl/app:v1");
    await sleep(1000);
    expect(rx.on("/slack/429")).toHaveLength(2);
  });
});

describe("webhook", () => {
  it("every request carries a valid Standard Webhooks signature and a stable webhook-id", async () => {
    const sub = await h.subscribe({ name: "signed", channel: "webhook", destination: webhook("/wh/signed"), filter: only("sig") });
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await h.publishScan({ repository: "sig/app", tag: `v${i}` }));
    const reqs = await waitUntil(async () => rx.on("/wh/signed").length >= 3 && rx.on("/wh/signed"), "3 signed webhooks");
    for (const r of reqs) {
      const v = verifyStandardWebhook(WEBHOOK_SECRET, r.headers, r.body);
      expect(v.id).toMatch(/^ntf_/);
      // A tampered body fails verification: the check is real.
      expect(() => verifyStandardWebhook(WEBHOOK_SECRET, r.headers, Buffer.concat([r.body, Buffer.from(" ")]))).toThrow(/signature/);
    }
    expect(reqs.map((r) => r.headers["webhook-id"]).sort()).toEqual(ids.map((e) => notificationIdFor(sub, e)).sort());
    const body = JSON.parse(reqs[0]!.body.toString());
    expect(body.type).toBe("image.scan.completed");
    expect(body.data.images[0].findings.map((f: any) => f.advisoryId)).toContain(FINDINGS.high.advisoryId);
  });
});

describe("bad destinations", () => {
  it("a hanging destination times out and retries; another subscription's deliveries arrive promptly", async () => {
    rx.script("/wh/hang", ["hang", { status: 200, body: "ok" }]);
    const hung = await h.subscribe({ name: "hangs", channel: "webhook", destination: webhook("/wh/hang"), filter: only("hang") });
    const fine = await h.subscribe({ name: "fine", channel: "webhook", destination: webhook("/wh/fine"), filter: only("hang") });
    const t0 = Date.now();
    const eventId = await h.publishScan({ repository: "hang/app", tag: "v1" });
    // While the first attempt hangs (2 s timeout), the other subscription is served.
    await waitUntil(async () => rx.on("/wh/fine").length >= 1, "fine delivery", 30_000, 20);
    const fineAt = rx.on("/wh/fine")[0]!.at;
    const hangFirst = await waitUntil(async () => rx.on("/wh/hang")[0], "hang attempt");
    const ok = await h.deliveryOf(hung, eventId, ["delivered"], 60_000);
    expect(ok.attempts).toBe(2);
    const [a1, a2] = rx.on("/wh/hang");
    expect(a2!.at - a1!.at).toBeGreaterThanOrEqual(2000); // the timeout elapsed before the retry
    expect(fineAt).toBeLessThan(a2!.at); // served before the hung destination's retry
    expect(fineAt - Math.max(t0, hangFirst.at - 1000)).toBeLessThan(10_000);
    expect((await h.deliveryOf(fine, eventId, ["delivered"])).attempts).toBe(1);
  });

  it.each([
    ["slack invalid_payload", "slack", "/slack/bad", { status: 400, body: "invalid_payload" }, /invalid_payload/],
    ["webhook 410", "webhook", "/wh/gone", { status: 410, body: "gone" }, /HTTP 410/],
    ["webhook 404", "webhook", "/wh/missing", { status: 404, body: "nope" }, /HTTP 404/],
  ] as const)("%s: no retry, failure and reason in the delivery log", async (name, channel, path, answer, reason) => {
    rx.script(path, [answer]);
    const prefix = `perm-${path.replace(/\W/g, "")}`;
    const destination = channel === "slack" ? { url: `${rx.url}${path}` } : webhook(path);
    const sub = await h.subscribe({ name, channel, destination, filter: only(prefix) });
    const eventId = await h.publishScan({ repository: `${prefix}/app`, tag: "v1" });
    const d = await h.deliveryOf(sub, eventId, ["failed"]);
    expect(d.attempts).toBe(1);
    expect(d.lastError).toMatch(reason);
    const failed = (await h.api("GET", `/api/v1/deliveries?status=failed&subscriptionId=${sub}`)).body.items;
    expect(failed.map((x: any) => x.eventId)).toEqual([eventId]);
    await sleep(3000); // longer than the first backoff: no second attempt comes
    expect(rx.on(path)).toHaveLength(1);
  });
});
