import { commonEnv, env, loadConfig, type Env } from "@lookout/config";

export const webhookEnv = {
  ...commonEnv,
  WEBHOOK_PORT: env.port(8081),
  WEBHOOK_HOST: env.string("127.0.0.1"),
  WEBHOOK_BODY_LIMIT: env.size("1MiB"),
  /** How long an event id is remembered for de-duplication. */
  WEBHOOK_DEDUPE_TTL: env.duration("24h"),
};

export const loadWebhookConfig = (e: Env) => loadConfig(webhookEnv, e);
export type WebhookConfig = ReturnType<typeof loadWebhookConfig>;
