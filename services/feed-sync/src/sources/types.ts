import type { Db } from "@lookout/db";
import type { Logger } from "@lookout/log";

export interface SyncCounts {
  added: number;
  changed: number;
  withdrawn: number;
  rejected: number;
  /** True when the feed answered "not modified": nothing was written. */
  unchanged?: boolean;
}

export interface SyncContext {
  db: Db;
  log: Logger;
  signal: AbortSignal;
}

/** An advisory source: one folder in sources/, one line in sources/index.ts. */
export interface FeedSource {
  readonly name: string;
  sync(ctx: SyncContext): Promise<SyncCounts>;
}
