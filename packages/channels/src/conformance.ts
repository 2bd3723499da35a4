import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Deliverer, DeliveryResult } from "./deliverer.js";
import type { Notification } from "./notification.js";

/** How the fake endpoint behind a destination behaves. */
export type EndpointMode = "ok" | "transient" | "permanent" | "hang";

/** A running fake endpoint plus the deliverer under test, pointed at it. */
export interface ConformanceFixture<C> {
  deliverer: Deliverer<C>;
  /** A destination on the fake endpoint that behaves as `mode`. */
  destination(mode: EndpointMode): C;
  /** Deliveries the endpoint accepted so far (channel-specific records). */
  accepted(): unknown[];
  close(): Promise<void>;
}

export interface ConformanceOptions<C> {
  name: string;
  /** Per-attempt timeout the deliverer must be configured with. */
  timeoutMs: number;
  /** Start the fake endpoint and build the deliverer with `timeoutMs`. */
  setup(timeoutMs: number): Promise<ConformanceFixture<C>>;
  notification: Notification;
  /** Assert that exactly the expected content arrived for `n` (bytes, or parsed MIME for email). */
  expectDelivered(accepted: unknown, n: Notification): void | Promise<void>;
}

/**
 * The shared channel conformance suite: every channel's integration test runs it against a real
 * local fake endpoint. It checks the Deliverer contract (deliverer.ts): success delivers exactly
 * once with the expected content, transient and permanent failures are classified as such, a
 * hanging endpoint becomes a transient timeout within the configured bound, and an abort from
 * the caller is a result, never an exception.
 */
export function runDelivererConformance<C>(o: ConformanceOptions<C>): void {
  describe(`${o.name} deliverer conformance`, () => {
    let fx: ConformanceFixture<C>;
    beforeAll(async () => {
      fx = await o.setup(o.timeoutMs);
    });
    afterAll(async () => {
      await fx?.close();
    });

    it("success delivers exactly the expected content, once", async () => {
      const before = fx.accepted().length;
      const r = await fx.deliverer.deliver(o.notification, fx.destination("ok"));
      expect(r).toMatchObject({ ok: true });
      const got = fx.accepted().slice(before);
      expect(got).toHaveLength(1);
      await o.expectDelivered(got[0], o.notification);
    });

    it("a transient destination error is {ok:false, permanent:false}", async () => {
      const r = await fx.deliverer.deliver(o.notification, fx.destination("transient"));
      expect(r).toMatchObject({ ok: false, permanent: false });
      expect((r as { reason: string }).reason.length).toBeGreaterThan(0);
    });

    it("a permanent destination error is {ok:false, permanent:true}", async () => {
      const r = await fx.deliverer.deliver(o.notification, fx.destination("permanent"));
      expect(r).toMatchObject({ ok: false, permanent: true });
    });

    it("a hanging endpoint times out as transient within the configured bound", async () => {
      const t0 = Date.now();
      const r = await fx.deliverer.deliver(o.notification, fx.destination("hang"));
      const took = Date.now() - t0;
      expect(r).toMatchObject({ ok: false, permanent: false });
      expect((r as { reason: string }).reason).toMatch(/time/i);
      expect(took).toBeGreaterThanOrEqual(o.timeoutMs - 50);
      expect(took).toBeLessThan(o.timeoutMs + 1500);
    });

    it("an invalid notification is a permanent failure, not an exception, and sends nothing", async () => {
      const before = fx.accepted().length;
      const bad = { ...o.notification, id: "has.dots@and spaces", images: [] } as Notification;
      const r = await fx.deliverer.deliver(bad, fx.destination("ok"));
      expect(r).toMatchObject({ ok: false, permanent: true });
      expect(fx.accepted().length).toBe(before);
    });

    it("an abort from the caller is returned as transient, not thrown", async () => {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 50);
      const r: DeliveryResult = await fx.deliverer.deliver(o.notification, fx.destination("hang"), { signal: ac.signal });
      expect(r).toMatchObject({ ok: false, permanent: false });
    });
  });
}
