import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { encodeEvent, type Envelope } from "@lookout/domain";
import { Bus } from "./index.js";

const buses: Bus[] = [];
afterEach(async () => {
  await buses[0]?.deleteStream().catch(() => {});
  for (const b of buses.splice(0)) await b.close();
});

async function bus(ns: string, extra: Partial<Parameters<typeof Bus.connect>[0]> = {}) {
  const b = await Bus.connect({ servers: "nats://127.0.0.1:4222", namespace: ns, ackWaitMs: 1_000, ...extra });
  buses.push(b);
  return b;
}

const event = (n: number) => encodeEvent("scanCompleted", "test", {
  scanId: `s${n}`, image: { registry: "r:5000", repository: "a/b", digest: `sha256:${String(n).padStart(64, "0")}` },
  status: "succeeded", packageCount: 0, findingCount: 0, severityCounts: {}, durationMs: 1, topFindings: [],
}, { id: `ev-${n}` });

describe("JetStream bus", () => {
  it("declares stream and consumers idempotently", async () => {
    const ns = `b${randomBytes(4).toString("hex")}`;
    const a = await bus(ns);
    await a.declare();
    await (await bus(ns)).declare();
    expect(await a.streamMessages()).toBe(0);
  });

  it("stores a re-published envelope once (Nats-Msg-Id)", async () => {
    const b = await bus(`b${randomBytes(4).toString("hex")}`);
    const first = await b.publish("scanCompleted", event(1));
    const again = await b.publish("scanCompleted", event(1));
    expect(first.duplicate).toBe(false);
    expect(again.duplicate).toBe(true);
    expect(await b.streamMessages()).toBe(1);
  });

  it("redelivers unacked events to a durable consumer after it restarts", async () => {
    const ns = `b${randomBytes(4).toString("hex")}`;
    const b = await bus(ns);
    for (let i = 1; i <= 5; i++) await b.publish("scanCompleted", event(i));
    const seen: string[] = [];
    let release!: () => void;
    const stuck = new Promise<void>((r) => { release = r; });
    // First consumer: acks two, then hangs on the third (as if the process froze mid-stream).
    const c1 = await b.consume("notifierScans", async (env) => {
      if (seen.length >= 2) { await stuck; throw new Error("stopped"); }
      seen.push(env.id);
    }, { concurrency: 1 });
    await waitFor(() => seen.length === 2);
    // Restart: a new connection, same durable name.
    const b2 = await bus(ns);
    const after: string[] = [];
    const c2 = await b2.consume("notifierScans", async (env: Envelope<unknown>) => { after.push(env.id); }, { concurrency: 4 });
    await waitFor(() => new Set(after).size === 3, 15_000);
    expect(new Set(after)).toEqual(new Set(["ev-3", "ev-4", "ev-5"]));
    expect(after).not.toContain("ev-1");
    release();
    await c1.stop();
    await c2.stop();
  });

  it("terminates a poison message instead of redelivering it forever", async () => {
    const ns = `b${randomBytes(4).toString("hex")}`;
    const b = await bus(ns);
    // Raw publish that breaks the contract (missing fields).
    const js = (await import("@nats-io/jetstream")).jetstream(b.nc);
    await js.publish(`${ns}.scan.completed`, JSON.stringify({ id: "bad", type: "x" }));
    await b.publish("scanCompleted", event(9));
    const got: string[] = [];
    const c = await b.consume("notifierScans", async (env) => { got.push(env.id); });
    await waitFor(() => got.length === 1);
    await new Promise((r) => setTimeout(r, 1_500)); // longer than ack wait: a nak'd poison would be back
    expect(got).toEqual(["ev-9"]);
    await c.stop();
  });
});

async function waitFor(cond: () => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}
