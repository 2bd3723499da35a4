import { describe, expect, it } from "vitest";
import { permanent, transient } from "@lookout/channels";
import { RetryLater, deliveryBackoff } from "./deliver.js";
import { destinationKey, isRelayFailure } from "./rate.js";

describe("isRelayFailure", () => {
  it("SMTP auth refused (535) is the operator's relay problem, not the recipients'", () => {
    expect(isRelayFailure("email", permanent("smtp: 535 5.7.8 authentication failed", { status: 535 }))).toBe(true);
    expect(isRelayFailure("email", transient("smtp: ECONNREFUSED: connect refused"))).toBe(true);
    expect(isRelayFailure("email", transient("smtp: 421 service not available", { status: 421 }))).toBe(true);
  });
  it("recipient refusals and other channels are per-destination", () => {
    expect(isRelayFailure("email", permanent("smtp: 550 5.1.1 no such user", { status: 550 }))).toBe(false);
    expect(isRelayFailure("email", transient("smtp: 451 mailbox busy", { status: 451 }))).toBe(false);
    expect(isRelayFailure("email", permanent("smtp: EENVELOPE: no recipients"))).toBe(false);
    expect(isRelayFailure("webhook", permanent("HTTP 535", { status: 535 }))).toBe(false);
  });
});

describe("destinationKey", () => {
  it("is shared by subscriptions to the same destination and hides the URL", () => {
    const url = "https://hooks.slack.com/services/T0/B0/secret";
    expect(destinationKey("slack", { url })).toBe(destinationKey("slack", { url }));
    expect(destinationKey("slack", { url })).not.toContain("secret");
    expect(destinationKey("email", { to: ["b@x.test", "a@x.test"] })).toBe(destinationKey("email", { to: ["a@x.test", "b@x.test"] }));
    expect(destinationKey("slack", { url })).not.toBe(destinationKey("slack", { url: url + "2" }));
  });
});

describe("deliveryBackoff", () => {
  it("grows exponentially with jitter and never undercuts Retry-After", () => {
    for (let i = 0; i < 50; i++) {
      const b1 = deliveryBackoff(1);
      expect(b1).toBeGreaterThanOrEqual(1000);
      expect(b1).toBeLessThanOrEqual(2000);
      const b4 = deliveryBackoff(4);
      expect(b4).toBeGreaterThanOrEqual(8000);
      expect(b4).toBeLessThanOrEqual(16000);
      expect(deliveryBackoff(1, new RetryLater("429", 30_000))).toBe(30_000);
    }
    expect(deliveryBackoff(40)).toBeLessThanOrEqual(15 * 60_000);
  });
});
