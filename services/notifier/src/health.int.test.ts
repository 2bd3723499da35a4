// Destination health: what counts against a destination (and pauses it) and what does not.
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpReceiver, type FakeHttpReceiver } from "@lookout/channels/testing";
import { waitUntil } from "@lookout/testkit";
import { sleep, startHarness, WEBHOOK_SECRET, type Harness } from "./test-support.js";

// A relay that refuses our SMTP credentials (535) is the operator's problem: it must not pause
// every email subscription or count against their destinations. NOTIFIER_PAUSE_AFTER=1 would
// pause on the first destination failure.
let h: Harness;
let relay: SMTPServer;
let authAttempts = 0;
let rx: FakeHttpReceiver;

beforeAll(async () => {
  rx = await startHttpReceiver();
  relay = new SMTPServer({
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(_auth, _session, cb) {
      authAttempts++;
      cb(Object.assign(new Error("5.7.8 Authentication credentials invalid"), { responseCode: 535 }));
    },
  });
  await new Promise<void>((r) => relay.listen(0, "127.0.0.1", () => r()));
  const port = (relay.server.address() as AddressInfo).port;
  h = await startHarness({
    extraEnv: {
      SMTP_HOST: "127.0.0.1", SMTP_PORT: String(port), SMTP_USER: "lookout", SMTP_PASSWORD: "wrong-password",
      NOTIFIER_PAUSE_AFTER: "1", NOTIFIER_ATTEMPTS: "2",
    },
  });
});
afterAll(async () => {
  await h?.stop();
  await rx?.close();
  await new Promise<void>((r) => relay?.close(() => r()));
});

describe("SMTP relay auth failure (535)", () => {
  it("is retried, recorded as a relay error, and pauses no subscription", async () => {
    const a = await h.subscribe({ name: "mail-a", channel: "email", destination: { to: ["a@rcpt.test"] }, filter: { repositories: ["relay/*"] } });
    const b = await h.subscribe({ name: "mail-b", channel: "email", destination: { to: ["b@rcpt.test"] }, filter: { repositories: ["relay/*"] } });
    const eventId = await h.publishScan({ repository: "relay/app", tag: "v1" });
    for (const sub of [a, b]) {
      const d = await h.deliveryOf(sub, eventId, ["failed"], 60_000);
      expect(d.attempts).toBe(2); // retried, not failed at once as a permanent error
      expect(d.lastError).toMatch(/^smtp relay: .*535/);
      const s = (await h.api("GET", `/api/v1/subscriptions/${sub}`)).body;
      expect(s).toMatchObject({ paused: false, consecutiveFailures: 0 });
    }
    await waitUntil(async () => authAttempts >= 4, "auth attempts");
  });
});

describe("a destination failing repeatedly", () => {
  it("is paused with the reason, and later events skip it", async () => {
    rx.script("/gone", [{ status: 410, body: "gone" }]);
    const sub = await h.subscribe({ name: "gone", channel: "webhook", destination: { url: `${rx.url}/gone`, secret: WEBHOOK_SECRET }, filter: { repositories: ["pause/*"] } });
    const e1 = await h.publishScan({ repository: "pause/app", tag: "v1" });
    await h.deliveryOf(sub, e1, ["failed"]);
    const s = await waitUntil(async () => {
      const x = (await h.api("GET", `/api/v1/subscriptions/${sub}`)).body;
      return x.paused && x;
    }, "paused");
    expect(s.pausedReason).toMatch(/1 consecutive failures, last: HTTP 410/);
    expect((await h.api("GET", "/api/v1/subscriptions")).body.items.find((x: any) => x.id === sub).paused).toBe(true);
    await h.publishScan({ repository: "pause/app", tag: "v2" });
    await sleep(2000);
    expect(rx.on("/gone")).toHaveLength(1);
  });
});
