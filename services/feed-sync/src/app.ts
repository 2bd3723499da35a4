/**
 * The feed-sync building blocks without the service around them: the CLI (`lookout feeds sync`),
 * tests and benchmarks run a sync in-process with these.
 */
export { SOURCES, type FeedSource, type SourceDefinition, type SourceOverrides, type SyncContext, type SyncCounts, type SyncProgress } from "./sources/index.js";
export { syncSource, type SyncDeps, type SyncOutcome } from "./sync.js";
export { rematch, type RematchDeps, type RematchResult } from "./rematch/index.js";
export { purge, type RetentionResult } from "./retention.js";
export { download, type Download, type FetchLike, type Validators } from "./fetch/download.js";
