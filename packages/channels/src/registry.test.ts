import { describe, expect, it } from "vitest";
import { isLookoutError } from "@lookout/domain";
import { CHANNELS, parseDestination } from "./registry.js";

function fieldError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isLookoutError(e, "LKT_ERR_VALIDATION")) return e.message;
    throw e;
  }
  throw new Error("expected LKT_ERR_VALIDATION");
}

describe("CHANNELS", () => {
  it("keys equal each channel's name, and each factory yields a deliverer of that name", () => {
    for (const [key, ch] of Object.entries(CHANNELS)) expect(ch.name).toBe(key);
    expect(CHANNELS.slack.create({}).name).toBe("slack");
    expect(CHANNELS.webhook.create({}).name).toBe("webhook");
    expect(CHANNELS.email.create({ host: "127.0.0.1", from: "a@b.test" }).name).toBe("email");
  });

  it("parseDestination names the offending field", () => {
    expect(fieldError(() => parseDestination("slack", { url: "not a url" }))).toMatch(/^destination\.url: must be an http\(s\) URL/);
    expect(fieldError(() => parseDestination("slack", { url: "ftp://x.test/" }))).toMatch(/^destination\.url:/);
    expect(fieldError(() => parseDestination("email", { to: ["ok@x.test", "nope"] }))).toMatch(/^destination\.to\.1: must be an email address/);
    expect(fieldError(() => parseDestination("webhook", { url: "https://x.test/", secret: "s" }))).toMatch(/^destination\.secret:/);
    expect(fieldError(() => parseDestination("pager" as "slack", {}))).toMatch(/^channel: unknown channel/);
  });

  it("parseDestination returns the parsed destination with defaults", () => {
    const secret = "whsec_" + Buffer.alloc(32, 1).toString("base64");
    expect(parseDestination("webhook", { url: "https://x.test/h", secret })).toEqual({ url: "https://x.test/h", secret, format: "standard" });
    expect(parseDestination("email", { to: ["a@b.test"] })).toEqual({ to: ["a@b.test"] });
  });
});
