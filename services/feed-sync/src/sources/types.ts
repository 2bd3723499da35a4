import type { PackageKey } from "@lookout/advisory-store";
import type { Db } from "@lookout/db";
import type { Logger } from "@lookout/log";
import type { FeedSyncConfig } from "../config.js";
import type { FetchLike } from "../fetch/download.js";

/** What one source's sync did. Counts are disjoint (as @lookout/advisory-store's IngestResult). */
export interface SyncCounts {
  added: number;
  changed: number;
  withdrawn: number;
  rejected: number;
  /** True when every part of the feed answered "not modified": nothing was written. */
  unchanged?: boolean;
  /** Package keys whose advisories were added, changed or withdrawn: the re-match input. */
  changedKeys?: PackageKey[];
  /** Parts of the feed that failed (one line each); the others were still ingested. */
  errors?: string[];
}

/** Progress of a running sync, for the CLI's bar and debug logs. */
export interface SyncProgress {
  part: string;
  phase: "download" | "ingest";
  bytes?: number;
  total?: number;
  records?: number;
}

export interface SyncContext {
  db: Db;
  log: Logger;
  signal: AbortSignal;
  fetch: FetchLike;
  /** Parent folder for downloads (the OS temp dir unless configured). */
  tmpDir: string;
  maxBytes: number;
  batchSize: number;
  onProgress?: (p: SyncProgress) => void;
}

/** An advisory source: one folder in sources/, one line in sources/index.ts. */
export interface FeedSource {
  readonly name: string;
  /**
   * False for an opt-in source left off by config (nvd): skipped when every source runs, still
   * run when named (FEED_SYNC_SOURCES, `lookout feeds sync --source`). Default true.
   */
  readonly enabled?: boolean;
  /**
   * Fetch and ingest. Must leave the previous data intact when it fails (each advisory is written
   * atomically by ingestAdvisories) and store a feed part's validators only after that part was
   * fully ingested, so the next run fetches it again.
   */
  sync(ctx: SyncContext): Promise<SyncCounts>;
}

/** Per-source overrides: `--from DIR|URL` of the CLI replaces the configured base URL. */
export interface SourceOverrides {
  from?: string;
}

/** A registered source: builds its FeedSource from the service config. */
export interface SourceDefinition {
  readonly name: string;
  create(cfg: FeedSyncConfig, overrides?: SourceOverrides): FeedSource;
}
