import { commonEnv, env, loadConfig, type Env } from "@lookout/config";

export const apiEnv = {
  ...commonEnv,
  API_PORT: env.port(8080),
  API_HOST: env.string("127.0.0.1"),
  /** Bearer token for every /api route; generated into the data folder when unset. */
  LOOKOUT_API_TOKEN: env.optionalString(),
  LOOKOUT_SECRET_KEY: env.optionalString(),
  /** Subscriptions may name loopback/private destinations only when the operator allows it. */
  NOTIFIER_ALLOW_PRIVATE: env.bool(false),
  NOTIFIER_ALLOW_LOOPBACK: env.bool(false),
  NOTIFIER_ALLOW_HTTP: env.bool(false),
};

export const loadApiConfig = (e: Env) => loadConfig(apiEnv, e);
export type ApiConfig = ReturnType<typeof loadApiConfig>;
