import { z } from "zod";

const SECRET_RE = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

/** A subscription's webhook destination, as stored (secret encrypted) and validated by the api. */
export const webhookDestinationSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).max(2000),
  /** `whsec_` + base64 of 24–64 random bytes (Standard Webhooks). */
  secret: z
    .string()
    .regex(SECRET_RE, "must be whsec_ followed by base64")
    .refine((s) => {
      const n = Buffer.from(s.slice(6), "base64").length;
      return n >= 24 && n <= 64;
    }, "must encode 24 to 64 bytes"),
  /** `cloudevents`: structured CloudEvents 1.0 envelope, still signed. */
  format: z.enum(["standard", "cloudevents"]).default("standard"),
});
export type WebhookDestination = z.input<typeof webhookDestinationSchema>;

/** Operator settings for the webhook channel. */
export const webhookConfigSchema = z.object({
  timeoutMs: z.number().int().positive().max(120_000).default(15_000),
  maxResponseBytes: z.number().int().positive().max(1 << 20).default(16 * 1024),
  maxFindingsPerImage: z.number().int().min(0).max(100).default(20),
  /** CloudEvents `source` (URI-reference): this Lookout installation. */
  source: z.string().min(1).max(500).default("/lookout"),
});
export type WebhookConfig = z.infer<typeof webhookConfigSchema>;
