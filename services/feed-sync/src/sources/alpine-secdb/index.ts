import { readFile } from "node:fs/promises";
import type { IngestSourceItem } from "@lookout/advisory-store";
import { asBaseUrl } from "../osv/index.js";
import { syncPart, Totals } from "../ingest-part.js";
import type { FeedSource, SourceDefinition } from "../types.js";
import { convertSecdb } from "./convert.js";

/** A secdb branch file is a few hundred KiB: parsed whole, under this cap. */
const MAX_SECDB_BYTES = 64 * 1024 * 1024;

/**
 * Alpine secdb, `<base>/<branch>/<repo>.json` per configured `branch/repo` (v3.19/main …), for
 * `Alpine:<branch>`. One conditional request per file, keyed `alpine-secdb:<branch>/<repo>`.
 */
export function alpineSecdbSource(base: string, files: readonly string[]): FeedSource {
  const root = base.replace(/\/+$/, "");
  return {
    name: "alpine-secdb",
    async sync(ctx) {
      const t = new Totals();
      for (const f of files) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        const [branch = "", repo = ""] = f.split("/");
        async function* read(path: string): AsyncGenerator<IngestSourceItem> {
          let doc: unknown;
          try {
            doc = JSON.parse(await readFile(path, "utf8"));
          } catch (e) {
            yield { error: `invalid JSON: ${(e as Error).message.slice(0, 200)}`, entry: path };
            return;
          }
          yield* convertSecdb(doc, branch);
        }
        await syncPart({ ...ctx, maxBytes: Math.min(ctx.maxBytes, MAX_SECDB_BYTES) }, t, { key: `alpine-secdb:${branch}/${repo}`, url: `${root}/${branch}/${repo}.json`, read });
      }
      return t.result();
    },
  };
}

export const alpineSecdb: SourceDefinition = {
  name: "alpine-secdb",
  create: (cfg, o) => alpineSecdbSource(o?.from ? asBaseUrl(o.from) : cfg.FEED_SYNC_ALPINE_SECDB_URL, cfg.FEED_SYNC_ALPINE_BRANCHES.split(",").map((s) => s.trim()).filter((s) => /^[^/]+\/[^/]+$/.test(s))),
};
