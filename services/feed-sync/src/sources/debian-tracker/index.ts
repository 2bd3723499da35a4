import type { IngestSourceItem } from "@lookout/advisory-store";
import { asBaseUrl } from "../osv/index.js";
import { syncPart, Totals } from "../ingest-part.js";
import { topLevelEntries } from "../json-entries.js";
import type { FeedSource, SourceDefinition } from "../types.js";
import { convertTrackerPackage } from "./convert.js";

/**
 * The Debian Security Tracker's JSON (~50–80 MB): per-release states (unfixed, no-dsa, postponed,
 * ignored, end-of-life, unimportant, fixed versions) for `Debian:<n>`. Walked one package at a
 * time (never parsed whole); one conditional request keyed `debian-tracker`.
 */
export function debianTrackerSource(url: string): FeedSource {
  return {
    name: "debian-tracker",
    async sync(ctx) {
      const t = new Totals();
      const stats = { unknownReleases: 0 };
      async function* read(path: string): AsyncGenerator<IngestSourceItem> {
        for await (const e of topLevelEntries(path, ctx.signal)) {
          if ("error" in e) yield { error: e.error, entry: path };
          else yield* convertTrackerPackage(e.key, e.value, stats);
        }
      }
      await syncPart(ctx, t, { key: "debian-tracker", url, read });
      if (stats.unknownReleases) ctx.log.info({ unknownReleases: stats.unknownReleases }, "tracker releases without a known number skipped");
      return t.result();
    },
  };
}

export const debianTracker: SourceDefinition = {
  name: "debian-tracker",
  create: (cfg, o) => debianTrackerSource(o?.from ? asBaseUrl(o.from) : cfg.FEED_SYNC_DEBIAN_TRACKER_URL),
};
