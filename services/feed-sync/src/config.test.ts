import { describe, expect, it } from "vitest";
import { ConfigError } from "@lookout/config";
import { loadFeedSyncConfig } from "./config.js";
import { SOURCES } from "./sources/index.js";

const nvdOf = (env: Record<string, string>) => SOURCES.find((s) => s.name === "nvd")!.create(loadFeedSyncConfig(env));

describe("feed-sync config", () => {
  it("leaves NVD enrichment off by default and turns it on with FEED_SYNC_NVD_ENABLED", () => {
    expect(nvdOf({}).enabled).toBe(false);
    expect(nvdOf({ FEED_SYNC_NVD_ENABLED: "true" }).enabled).toBe(true);
    const cfg = loadFeedSyncConfig({});
    expect(cfg).toMatchObject({ FEED_SYNC_NVD_URL: "https://services.nvd.nist.gov", FEED_SYNC_NVD_MAX_REQUESTS: 100, FEED_SYNC_NVD_RECHECK: 7 * 86_400_000 });
    expect(cfg.FEED_SYNC_NVD_API_KEY).toBeUndefined();
    expect(cfg.FEED_SYNC_DELETED_RETENTION).toBe(7 * 86_400_000);
  });

  it("names every bad NVD and retention setting in one line each", () => {
    let err: unknown;
    try {
      loadFeedSyncConfig({
        FEED_SYNC_NVD_ENABLED: "perhaps", FEED_SYNC_NVD_URL: "not a url", FEED_SYNC_NVD_API_KEY: "key with spaces",
        FEED_SYNC_NVD_MAX_REQUESTS: "0", FEED_SYNC_NVD_RECHECK: "weekly", FEED_SYNC_DELETED_RETENTION: "soon",
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      "FEED_SYNC_NVD_ENABLED must be true or false",
      "FEED_SYNC_NVD_URL must be a URL like http://host:port",
      "FEED_SYNC_NVD_API_KEY must be an NVD API key (8-128 letters, digits and dashes)",
      "FEED_SYNC_NVD_MAX_REQUESTS must be a whole number from 1 to 100000",
      "FEED_SYNC_NVD_RECHECK must be a duration like 500ms, 30s, 5m, 1h or 7d",
      "FEED_SYNC_DELETED_RETENTION must be a duration like 500ms, 30s, 5m, 1h or 7d",
    ]);
  });
});
