import { alpineSecdb } from "./alpine-secdb/index.js";
import { debianTracker } from "./debian-tracker/index.js";
import { nvd } from "./nvd/index.js";
import { osv } from "./osv/index.js";
import type { SourceDefinition } from "./types.js";

/** Every advisory source, one line each. Names are unique (checked by sources.test.ts). */
export const SOURCES: readonly SourceDefinition[] = [
  osv,
  debianTracker,
  alpineSecdb,
  nvd, // last: enriches what the feeds above just added
];
export type { FeedSource, SourceDefinition, SourceOverrides, SyncContext, SyncCounts, SyncProgress } from "./types.js";

