import { stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { readOsvDir, readOsvZip } from "@lookout/advisories";
import { ingestStream, syncPart, Totals } from "../ingest-part.js";
import type { FeedSource, SourceDefinition, SyncContext } from "../types.js";

/**
 * OSV per-ecosystem dumps, `<base>/<Ecosystem>/all.zip` as osv.dev publishes them. The base is
 * the public bucket, an internal HTTP mirror, or a local folder (`file:///srv/osv`); a local folder
 * may also hold `<Ecosystem>/` as a tree of JSON records instead of a zip. Each ecosystem is one
 * conditional request keyed `osv:<Ecosystem>` in feed_state.
 */
export function osvSource(base: string, ecosystems: readonly string[]): FeedSource {
  const root = base.replace(/\/+$/, "");
  return {
    name: "osv",
    async sync(ctx: SyncContext) {
      const t = new Totals();
      for (const eco of ecosystems) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        const key = `osv:${eco}`;
        if (root.startsWith("file:")) {
          const dir = join(fileURLToPath(root), eco);
          const zip = await stat(join(dir, "all.zip")).catch(() => undefined);
          if (!zip) {
            const st = await stat(dir).catch(() => undefined);
            if (!st?.isDirectory()) {
              ctx.log.warn({ part: key, dir }, "ecosystem absent from the local folder, skipped");
              continue;
            }
            // A JSON tree has no validator: the content hashes make an unchanged tree cost no write.
            t.parts++;
            await ingestStream(ctx, t, key, key, readOsvDir(dir));
            continue;
          }
        }
        await syncPart(ctx, t, { key, url: `${root}/${encodeURIComponent(eco)}/all.zip`, read: (p) => readOsvZip(p) });
      }
      return t.result();
    },
  };
}

/** `--from` may be a plain path: turn it into a file:// base. */
export const asBaseUrl = (from: string): string => (/^[a-z][a-z0-9+.-]*:/i.test(from) ? from : pathToFileURL(from).toString());

export const osv: SourceDefinition = {
  name: "osv",
  create: (cfg, o) => osvSource(o?.from ? asBaseUrl(o.from) : cfg.FEED_SYNC_OSV_URL, cfg.FEED_SYNC_OSV_ECOSYSTEMS.split(",").map((s) => s.trim()).filter(Boolean)),
};
