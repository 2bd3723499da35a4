import { commonEnv, env, loadConfig, type Env } from "@lookout/config";

export const feedSyncEnv = {
  ...commonEnv,
  FEED_SYNC_PORT: env.port(8083),
  FEED_SYNC_HOST: env.string("127.0.0.1"),
  /** How often every source is synced. */
  FEED_SYNC_INTERVAL: env.duration("1h"),
  /** Comma-separated source names to sync; empty = every registered source. */
  FEED_SYNC_SOURCES: env.string(""),
  /** Upper bound on one source's sync; also the per-source lock's lifetime. */
  FEED_SYNC_TIMEOUT: env.duration("30m"),
};

export const loadFeedSyncConfig = (e: Env) => loadConfig(feedSyncEnv, e);
export type FeedSyncConfig = ReturnType<typeof loadFeedSyncConfig>;
