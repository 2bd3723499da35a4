import type { FeedSource } from "./types.js";

/** Every advisory source, one line each. */
export const SOURCES: FeedSource[] = [];
export type { FeedSource, SyncContext, SyncCounts } from "./types.js";
