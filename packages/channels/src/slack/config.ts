import { z } from "zod";

/** A subscription's Slack destination, as stored and validated by the api. */
export const slackDestinationSchema = z.object({
  /** Incoming-webhook URL. A bearer secret: store encrypted, never log. */
  url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).max(2000),
});
export type SlackDestination = z.infer<typeof slackDestinationSchema>;

/** Operator settings for the Slack channel. */
export const slackConfigSchema = z.object({
  timeoutMs: z.number().int().positive().max(120_000).default(10_000),
  maxResponseBytes: z.number().int().positive().max(1 << 20).default(16 * 1024),
  maxFindingsPerImage: z.number().int().min(0).max(50).default(10),
});
export type SlackConfig = z.infer<typeof slackConfigSchema>;
