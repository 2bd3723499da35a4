import { commonEnv, env, loadConfig, matchScopeEnv, type Env } from "@lookout/config";

export const DEFAULT_OSV_ECOSYSTEMS = "Debian,Ubuntu,Alpine,Red Hat,Rocky Linux,AlmaLinux,npm,PyPI,Go,Maven,RubyGems,crates.io,Packagist,NuGet";

export const feedSyncEnv = {
  ...commonEnv,
  ...matchScopeEnv,
  FEED_SYNC_PORT: env.port(8083),
  FEED_SYNC_HOST: env.string("127.0.0.1"),
  /** How often every source is synced. */
  FEED_SYNC_INTERVAL: env.duration("1h"),
  /** Comma-separated source names to sync; empty = every registered source. */
  FEED_SYNC_SOURCES: env.string(""),
  /** Upper bound on one source's sync; also the per-source lock's lifetime. */
  FEED_SYNC_TIMEOUT: env.duration("30m"),
  /** OSV dumps: `<base>/<Ecosystem>/all.zip`; http(s):// (public or a mirror) or file:///dir (air-gapped). */
  FEED_SYNC_OSV_URL: env.url("https://osv-vulnerabilities.storage.googleapis.com"),
  /** Comma-separated OSV ecosystems to fetch. */
  FEED_SYNC_OSV_ECOSYSTEMS: env.string(DEFAULT_OSV_ECOSYSTEMS),
  /** Debian Security Tracker JSON (http(s):// or file:///path/to/json). */
  FEED_SYNC_DEBIAN_TRACKER_URL: env.url("https://security-tracker.debian.org/tracker/data/json"),
  /** Alpine secdb base: `<base>/<branch>/<repo>.json`. */
  FEED_SYNC_ALPINE_SECDB_URL: env.url("https://secdb.alpinelinux.org"),
  /** Comma-separated `branch/repo` pairs of the Alpine secdb. */
  FEED_SYNC_ALPINE_BRANCHES: env.string("v3.18/main,v3.18/community,v3.19/main,v3.19/community,v3.20/main,v3.20/community,v3.21/main,v3.21/community,v3.22/main,v3.22/community"),
  /**
   * Optional CVSS enrichment from NVD (API 2.0) for stored advisories with one CVE and no CVSS
   * score. Off unless true (or the source "nvd" is named in FEED_SYNC_SOURCES / --source).
   */
  FEED_SYNC_NVD_ENABLED: env.bool(false),
  /** NVD API base; `<base>/rest/json/cves/2.0?cveId=…` is asked (a mirror speaking API 2.0 works too). */
  FEED_SYNC_NVD_URL: env.url("https://services.nvd.nist.gov"),
  /** Sent as the `apiKey` header; raises NVD's rate limit from 5 to 50 requests per 30 s. */
  FEED_SYNC_NVD_API_KEY: env.optionalString().refine((v) => v === undefined || /^[A-Za-z0-9-]{8,128}$/.test(v), "must be an NVD API key (8-128 letters, digits and dashes)"),
  /** Most NVD requests one run makes; the rest wait for the next run. */
  FEED_SYNC_NVD_MAX_REQUESTS: env.int(100, 1, 100_000),
  /** CVEs NVD had not scored (or did not know) are asked again after this long. */
  FEED_SYNC_NVD_RECHECK: env.duration("7d"),
  /** Largest download accepted from any feed. */
  FEED_SYNC_MAX_DOWNLOAD: env.size("2GiB"),
  /** Advisories per ingest transaction. */
  FEED_SYNC_BATCH: env.int(500, 1, 10_000),
  /** Scans and findings of deleted images, and scans older than this (except each live image's latest), are purged daily. */
  FEED_SYNC_RETENTION: env.duration("90d"),
  /**
   * Images deleted from the registry stop alerting at once; their scans, findings and inventory are
   * purged by the daily retention run once deleted for longer than this (0s = at the next run).
   */
  FEED_SYNC_DELETED_RETENTION: env.duration("7d"),
};

export const loadFeedSyncConfig = (e: Env) => loadConfig(feedSyncEnv, e);
export type FeedSyncConfig = ReturnType<typeof loadFeedSyncConfig>;
