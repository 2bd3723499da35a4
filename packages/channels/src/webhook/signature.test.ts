import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isLookoutError } from "@lookout/domain";
import { sampleNotification } from "../test-notifications.js";
import { webhookDestinationSchema } from "./config.js";
import { buildWebhookBody } from "./payload.js";
import { signStandardWebhook, verifyStandardWebhook } from "./signature.js";

const vector = JSON.parse(readFileSync(new URL("../../testdata/standard-webhooks-sign-vector.json", import.meta.url), "utf8")) as {
  secret: string;
  msgId: string;
  timestamp: number;
  payload: string;
  expected: string;
};

const headersFor = (sig: string, ts = vector.timestamp) => ({ "webhook-id": vector.msgId, "webhook-timestamp": String(ts), "webhook-signature": sig });
const at = (sec: number) => ({ now: sec * 1000 });

function authError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isLookoutError(e, "LKT_ERR_WEBHOOK_AUTH")) return e.message;
    throw e;
  }
  throw new Error("expected LKT_ERR_WEBHOOK_AUTH");
}

describe("Standard Webhooks signing", () => {
  it("matches the reference library's test vector", () => {
    expect(signStandardWebhook(vector.secret, vector.msgId, vector.timestamp, vector.payload)).toBe(vector.expected);
  });

  it("verifies the vector, with and without the whsec_ prefix, and among several signatures", () => {
    expect(verifyStandardWebhook(vector.secret, headersFor(vector.expected), vector.payload, at(vector.timestamp))).toEqual({
      id: vector.msgId,
      timestamp: vector.timestamp,
    });
    expect(() => verifyStandardWebhook(vector.secret.slice(6), headersFor(vector.expected), vector.payload, at(vector.timestamp))).not.toThrow();
    const multi = `v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,xyz ${vector.expected}`;
    expect(() => verifyStandardWebhook(vector.secret, headersFor(multi), vector.payload, at(vector.timestamp))).not.toThrow();
  });

  it("signs with every secret during rotation; either verifies", () => {
    const other = "whsec_" + Buffer.alloc(32, 7).toString("base64");
    const sig = signStandardWebhook([other, vector.secret], vector.msgId, vector.timestamp, vector.payload);
    expect(sig.split(" ")).toHaveLength(2);
    expect(() => verifyStandardWebhook(other, headersFor(sig), vector.payload, at(vector.timestamp))).not.toThrow();
    expect(() => verifyStandardWebhook([vector.secret], headersFor(sig), vector.payload, at(vector.timestamp))).not.toThrow();
  });

  it("rejects tampering, bad secrets, missing headers and stale or future timestamps", () => {
    const ok = at(vector.timestamp);
    expect(authError(() => verifyStandardWebhook(vector.secret, headersFor(vector.expected), vector.payload + " ", ok))).toMatch(/no matching/);
    const wrong = "whsec_" + Buffer.alloc(24, 1).toString("base64");
    expect(authError(() => verifyStandardWebhook(wrong, headersFor(vector.expected), vector.payload, ok))).toMatch(/no matching/);
    expect(authError(() => verifyStandardWebhook(vector.secret, headersFor("v1,"), vector.payload, ok))).toMatch(/no matching/);
    expect(authError(() => verifyStandardWebhook(vector.secret, headersFor(vector.expected.slice(0, 8)), vector.payload, ok))).toMatch(/no matching/);
    expect(authError(() => verifyStandardWebhook(vector.secret, { "webhook-id": "x" }, vector.payload, ok))).toMatch(/missing/);
    expect(authError(() => verifyStandardWebhook(vector.secret, headersFor(vector.expected), vector.payload, at(vector.timestamp + 301)))).toMatch(/too old/);
    expect(authError(() => verifyStandardWebhook(vector.secret, headersFor(vector.expected), vector.payload, at(vector.timestamp - 301)))).toMatch(/future/);
    expect(() => verifyStandardWebhook(vector.secret, headersFor(vector.expected), vector.payload, { ...at(vector.timestamp + 900), toleranceSec: 1000 })).not.toThrow();
    expect(authError(() => verifyStandardWebhook(vector.secret, { ...headersFor(vector.expected), "webhook-timestamp": "1e9" }, vector.payload, ok))).toMatch(/integer/);
  });

  it("refuses ids containing '.' (they would make the signed content ambiguous)", () => {
    expect(() => signStandardWebhook(vector.secret, "a.b", 1, "{}")).toThrow(/must not contain/);
  });
});

describe("webhook payloads", () => {
  it("standard body is {type, timestamp, data} with the notification id and counts", () => {
    const { contentType, body } = buildWebhookBody(sampleNotification(), "standard", { source: "/lookout", maxFindingsPerImage: 20 });
    expect(contentType).toBe("application/json");
    const j = JSON.parse(body.toString()) as { type: string; timestamp: string; data: { notificationId: string; images: { findingCount: number; severityCounts: object }[] } };
    expect(j.type).toBe("image.vulnerabilities.found");
    expect(j.timestamp).toBe("2026-11-29T12:00:00.000Z");
    expect(j.data.notificationId).toBe("ntf_test0001");
    expect(j.data.images[0]).toMatchObject({ findingCount: 4, severityCounts: { high: 1, low: 1, unknown: 2 } });
  });

  it("CloudEvents envelope satisfies the CloudEvents 1.0.2 JSON schema", () => {
    const schema = JSON.parse(readFileSync(new URL("../../testdata/cloudevents-1.0.2.schema.json", import.meta.url), "utf8")) as {
      required: string[];
      properties: Record<string, { $ref: string }>;
      definitions: Record<string, { type: string | string[]; minLength?: number }>;
    };
    const { contentType, body } = buildWebhookBody(sampleNotification(), "cloudevents", { source: "https://lookout.test", maxFindingsPerImage: 20 });
    expect(contentType).toBe("application/cloudevents+json; charset=utf-8");
    const ce = JSON.parse(body.toString()) as Record<string, unknown>;
    for (const k of schema.required) expect(ce).toHaveProperty(k);
    for (const [k, v] of Object.entries(ce)) {
      const prop = schema.properties[k];
      expect(prop, `unknown attribute ${k}`).toBeDefined();
      const def = schema.definitions[prop!.$ref.split("/").pop()!]!;
      const types = ([] as string[]).concat(def.type);
      const actual = v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
      expect(types, k).toContain(actual);
      if (typeof v === "string" && def.minLength) expect(v.length).toBeGreaterThanOrEqual(def.minLength);
    }
    expect(ce).toMatchObject({
      specversion: "1.0",
      id: "ntf_test0001",
      type: "io.lookout.image.vulnerabilities.found",
      subject: "registry.test:5000/team-a/api@sha256:" + "ab12".repeat(16),
      time: "2026-11-29T12:00:00.000Z",
      datacontenttype: "application/json",
    });
    expect(Number.isNaN(Date.parse(ce.time as string))).toBe(false);
  });

  it("shrinks finding lists to keep the body under 20 KB", () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ advisoryId: `A-${i}`, packageName: "p".repeat(200), installedVersion: "1", severity: "high" as const }));
    const n = sampleNotification({ images: [{ ...sampleNotification().images[0]!, findings: many }] });
    const { body } = buildWebhookBody(n, "standard", { source: "/l", maxFindingsPerImage: 100 });
    expect(body.length).toBeLessThanOrEqual(20 * 1024);
    expect((JSON.parse(body.toString()) as { data: { images: { findingCount: number }[] } }).data.images[0]!.findingCount).toBe(1000);
  });

  it("destination schema enforces whsec_ secrets of 24-64 bytes", () => {
    const url = "https://hooks.example.test/x";
    expect(webhookDestinationSchema.safeParse({ url, secret: vector.secret }).success).toBe(true);
    expect(webhookDestinationSchema.safeParse({ url, secret: "whsec_" + Buffer.alloc(8).toString("base64") }).success).toBe(false);
    expect(webhookDestinationSchema.safeParse({ url, secret: "plain" }).success).toBe(false);
  });
});
