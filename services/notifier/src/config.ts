import { z } from "@lookout/config";
import { commonEnv, env, loadConfig, type Env } from "@lookout/config";

export const notifierEnv = {
  ...commonEnv,
  NOTIFIER_PORT: env.port(8084),
  NOTIFIER_HOST: env.string("127.0.0.1"),
  NOTIFIER_CONCURRENCY: env.int(8, 1, 256),
  /** Slack incoming-webhook URL for a subscription defined in config (all events). */
  LOOKOUT_SLACK_WEBHOOK_URL: env.optionalUrl(),
  /** Key that seals subscription secrets at rest; generated into the data folder when unset. */
  LOOKOUT_SECRET_KEY: env.optionalString(),
  /** Destinations on private, loopback or link-local addresses are refused unless allowed. */
  NOTIFIER_ALLOW_PRIVATE: env.bool(false),
  NOTIFIER_ALLOW_LOOPBACK: env.bool(false),
  NOTIFIER_ALLOW_HTTP: env.bool(false),
  /** Per-destination rate: messages per minute. */
  NOTIFIER_RATE_PER_MINUTE: env.int(60, 1, 100_000),
  /** Consecutive failed deliveries after which a destination is paused. */
  NOTIFIER_PAUSE_AFTER: env.int(20, 1, 10_000),
  NOTIFIER_ATTEMPTS: env.int(8, 1, 50),
  /** Per-attempt bound for Slack and webhook requests; a hung destination is retried after it. */
  NOTIFIER_HTTP_TIMEOUT_MS: env.int(10_000, 100, 120_000),
  /** Job lock: a killed notifier's in-flight deliveries are taken over after about this long. */
  NOTIFIER_LOCK_MS: env.int(30_000, 1_000, 600_000),
  /** Length of one digest "minute". Only tests shorten it, so a 1-minute digest window takes seconds. */
  NOTIFIER_DIGEST_MINUTE_MS: env.int(60_000, 100, 60_000),
  /** Base URL of the api service, for "full report" links. */
  LOOKOUT_PUBLIC_URL: env.optionalUrl(),
  SMTP_HOST: env.optionalString(),
  SMTP_PORT: env.port(587),
  SMTP_SECURE: env.bool(false),
  SMTP_USER: env.optionalString(),
  SMTP_PASSWORD: env.optionalString(),
  SMTP_FROM: z.string().default("Lookout <lookout@localhost>"),
};

export const loadNotifierConfig = (e: Env) => loadConfig(notifierEnv, e);
export type NotifierConfig = ReturnType<typeof loadNotifierConfig>;
