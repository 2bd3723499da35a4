import { LookoutError } from "@lookout/domain";
import type { z } from "zod";
import { emailChannel } from "./email/index.js";
import { slackChannel } from "./slack/index.js";
import { webhookChannel } from "./webhook/index.js";

/** Every notification channel, one line each. Keys equal each channel's `name`. */
export const CHANNELS = {
  slack: slackChannel,
  email: emailChannel,
  webhook: webhookChannel,
} as const;

export type ChannelName = keyof typeof CHANNELS;
export type DestinationOf<K extends ChannelName> = z.output<(typeof CHANNELS)[K]["destinationSchema"]>;

export function isChannelName(s: string): s is ChannelName {
  return Object.hasOwn(CHANNELS, s);
}

/**
 * Validates a subscription's destination for `channel`. Throws LKT_ERR_VALIDATION (status 400)
 * naming the first bad field, e.g. `destination.url: must be an http(s) URL`.
 */
export function parseDestination<K extends ChannelName>(channel: K, raw: unknown, field = "destination"): DestinationOf<K> {
  if (!isChannelName(channel)) throw new LookoutError("LKT_ERR_VALIDATION", `channel: unknown channel ${JSON.stringify(channel)}`, { status: 400 });
  const r = CHANNELS[channel].destinationSchema.safeParse(raw);
  if (r.success) return r.data as DestinationOf<K>;
  const issue = r.error.issues[0];
  const path = [field, ...(issue?.path ?? []).map(String)].join(".");
  throw new LookoutError("LKT_ERR_VALIDATION", `${path}: ${issue?.message ?? "invalid"}`, {
    status: 400,
    details: { field: path },
    cause: r.error,
  });
}
