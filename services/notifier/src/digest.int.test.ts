import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notificationIdFor } from "@lookout/channels";
import { startHttpReceiver, type FakeHttpReceiver } from "@lookout/channels/testing";
import { waitUntil } from "@lookout/testkit";
import { parkInDigest, sealDigest } from "./digest.js";
import { FINDINGS, newDigest, sleep, startHarness, WEBHOOK_SECRET, type Harness } from "./test-support.js";

// A digest "minute" is 4 s here (NOTIFIER_DIGEST_MINUTE_MS), so 1-minute windows take seconds.
const MINUTE_MS = 4000;
let h: Harness;
let rx: FakeHttpReceiver;
beforeAll(async () => {
  rx = await startHttpReceiver();
  h = await startHarness({ extraEnv: { NOTIFIER_DIGEST_MINUTE_MS: String(MINUTE_MS) } });
});
afterAll(async () => {
  await h?.stop();
  await rx?.close();
});

describe("digest cadence", () => {
  it("500 pushes become a bounded number of messages, one entry per digest with its tags merged", async () => {
    const wh = await h.subscribe({
      name: "digest-wh", channel: "webhook", destination: { url: `${rx.url}/d/wh`, secret: WEBHOOK_SECRET },
      filter: { repositories: ["dg/*"] }, cadence: { mode: "digest", everyMinutes: 1 },
    });
    const slack = await h.subscribe({
      name: "digest-slack", channel: "slack", destination: { url: `${rx.url}/d/slack` },
      filter: { repositories: ["dg/*"] }, cadence: { mode: "digest", everyMinutes: 1 },
    });
    const digests = Array.from({ length: 50 }, () => newDigest());
    const t0 = Date.now();
    for (let i = 0; i < 500; i++) {
      const d = Math.floor(i / 10);
      await h.publishScan({ repository: `dg/app-${d % 5}`, tag: `t${i % 10}`, digest: digests[d], findings: [FINDINGS.high, FINDINGS.low] });
    }
    const published = Date.now() - t0;
    // Every digest reaches the webhook subscription (possibly split over a window boundary).
    const seenTags = new Map<string, Set<string>>();
    await waitUntil(async () => {
      seenTags.clear();
      for (const r of rx.on("/d/wh")) {
        for (const img of JSON.parse(r.body.toString()).data.images) {
          const s = seenTags.get(img.digest) ?? new Set<string>();
          for (const t of img.tags) s.add(t);
          seenTags.set(img.digest, s);
        }
      }
      return [...seenTags.values()].filter((s) => s.size === 10).length === 50;
    }, "every digest with its 10 tags", 90_000, 250);
    await sleep(MINUTE_MS + 1500); // a further window would have closed by now

    const msgs = rx.on("/d/wh").map((r) => ({ id: r.headers["webhook-id"], body: JSON.parse(r.body.toString()) }));
    const windows = Math.ceil((Date.now() - t0) / MINUTE_MS) + 1;
    expect(msgs.length).toBeLessThanOrEqual(Math.min(windows, 2 + Math.ceil(published / MINUTE_MS) + 2));
    expect(msgs.length).toBeLessThan(15);
    let entries = 0;
    for (const m of msgs) {
      expect(m.body.type).toBe("image.vulnerabilities.digest");
      const ds = m.body.data.images.map((i: any) => i.digest);
      expect(new Set(ds).size).toBe(ds.length); // one entry per digest in a message
      entries += ds.length;
    }
    // Most digests' ten pushes fall in one window: one entry carrying all ten tags.
    expect(entries).toBeLessThanOrEqual(50 + 4 * msgs.length);
    const whole = msgs.flatMap((m) => m.body.data.images).filter((i: any) => i.tags.length === 10);
    expect(whole.length).toBeGreaterThanOrEqual(50 - 4 * msgs.length);
    // The job id makes each window's delivery unique: distinct webhook-ids, each in the log once.
    expect(new Set(msgs.map((m) => m.id)).size).toBe(msgs.length);
    const log = await h.deliveries(wh);
    expect(log.filter((d) => d.status === "delivered")).toHaveLength(msgs.length);
    for (const d of log) expect(msgs.map((m) => m.id)).toContain(notificationIdFor(wh, d.eventId));

    // The same windows go to Slack: as many messages, each valid Block Kit within Slack's limits.
    await waitUntil(async () => rx.on("/d/slack").length >= msgs.length, "slack digests", 30_000);
    expect((await h.deliveries(slack)).filter((d) => d.status === "delivered").length).toBe(rx.on("/d/slack").length);
    for (const r of rx.on("/d/slack")) {
      const m = JSON.parse(r.body.toString());
      expect(m.blocks.length).toBeLessThanOrEqual(50);
      expect(JSON.stringify(m)).toMatch(/digest/i);
    }
  });

  it("a redelivered event is parked once; an event after its window was sealed goes to the next window", async () => {
    const store = { redis: h.sys.infra.redis, namespace: h.sys.env.LOOKOUT_NAMESPACE!, minuteMs: 60_000 };
    const sub = "00000000-0000-4000-8000-00000000d16e";
    const img = (tag: string) => ({ registry: "registry.test:5000", repository: "dup/app", tags: [tag], digest: "sha256:" + "d1".repeat(32), severityCounts: { high: 1 }, findings: [FINDINGS.high] });
    const now = Date.UTC(2026, 0, 1, 12, 0, 30);
    const a = await parkInDigest(store, sub, 1, "evt-a", img("v1"), now);
    expect(a).toMatchObject({ window: Math.floor(now / 60_000), added: true });
    expect(a.dueAt).toBe((a.window + 1) * 60_000 + 5_000);
    expect(await parkInDigest(store, sub, 1, "evt-a", img("v1"), now)).toMatchObject({ window: a.window, added: false });
    await parkInDigest(store, sub, 1, "evt-b", img("v2"), now);
    const sealed = await sealDigest(store, sub, 1, a.window);
    expect(sealed.images).toHaveLength(1);
    expect(sealed.images[0]!.tags).toEqual(["v1", "v2"]);
    // Late for the sealed window: lands in the next one instead of being lost.
    const late = await parkInDigest(store, sub, 1, "evt-c", img("v3"), now);
    expect(late).toMatchObject({ window: a.window + 1, added: true });
    // ...and a redelivery of an already-parked event still is not parked again.
    expect(await parkInDigest(store, sub, 1, "evt-b", img("v2"), now)).toMatchObject({ window: a.window, added: false });
    expect((await sealDigest(store, sub, 1, a.window + 1)).images[0]!.tags).toEqual(["v3"]);
  });
});
