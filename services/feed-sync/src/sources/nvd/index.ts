import { describeError, isLookoutError } from "@lookout/domain";
import type { FeedSource, SourceDefinition, SyncCounts } from "../types.js";
import { NvdClient } from "./client.js";
import { applyScores, cvesToAsk, saveAnswer } from "./enrich.js";
import { MalformedNvdResponse } from "./parse.js";
import { RollingWindow } from "./rate-limit.js";

export interface NvdSourceOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  /** Most requests per run (retries included in the rate limit, not in this bound). */
  maxRequests: number;
  recheckMs: number;
  enabled: boolean;
  /** NVD's published limits unless given: 5 requests per 30 s, 50 with an API key. */
  rate?: { limit: number; windowMs: number };
  backoffMs?: number;
  attempts?: number;
}

/**
 * Optional CVSS enrichment from NVD, run as a source so it shares the per-source lock, the run
 * record, metrics and the re-match of what changed. Registered last: it runs after the feeds, so
 * advisories they just added are enriched in the same scheduled job. Each run: ask NVD about at
 * most `maxRequests` CVEs not asked before (or unscored for `recheckMs`), remember each answer,
 * then append the stored scores to the advisories that lack one. Counts: `changed` = advisories
 * enriched, `rejected` = malformed NVD answers (skipped, asked again next run).
 */
export function nvdSource(o: NvdSourceOptions): FeedSource {
  const rate = o.rate ?? (o.apiKey ? { limit: 50, windowMs: 30_000 } : { limit: 5, windowMs: 30_000 });
  // One window per source object: the service keeps it across runs, as NVD's window is rolling.
  const limiter = new RollingWindow(rate.limit, rate.windowMs);
  return {
    name: "nvd",
    enabled: o.enabled,
    async sync(ctx): Promise<SyncCounts> {
      const client = new NvdClient({
        baseUrl: o.baseUrl, apiKey: o.apiKey, fetch: ctx.fetch, limiter,
        ...(o.backoffMs !== undefined ? { backoffMs: o.backoffMs } : {}), ...(o.attempts !== undefined ? { attempts: o.attempts } : {}),
      });
      const now = new Date();
      const ask = await cvesToAsk(ctx.db, o.maxRequests, new Date(now.getTime() - o.recheckMs));
      const stats = { scored: 0, unscored: 0, not_found: 0, malformed: 0 };
      const errors: string[] = [];
      for (const cve of ask) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        try {
          const answer = await client.cve(cve, ctx.signal);
          await saveAnswer(ctx.db, cve, answer, new Date());
          stats[answer.kind]++;
        } catch (e) {
          if (e instanceof MalformedNvdResponse) {
            stats.malformed++;
            ctx.log.warn({ cve, reason: e.message }, "nvd answer skipped: malformed");
            continue;
          }
          if (!isLookoutError(e)) throw e;
          // Still refused after the retries, or an answer no retry fixes: stop asking this run,
          // keep (and apply) what was learnt; the next run goes on from here.
          errors.push(describeError(e));
          break;
        }
        ctx.onProgress?.({ part: "nvd", phase: "download", records: stats.scored + stats.unscored + stats.not_found });
      }
      const applied = await applyScores(ctx.db);
      ctx.log.info({ asked: ask.length, ...stats, enriched: applied.advisories }, "nvd enrichment done");
      return {
        added: 0, changed: applied.advisories, withdrawn: 0, rejected: stats.malformed,
        unchanged: applied.advisories === 0 && stats.malformed === 0 && errors.length === 0,
        changedKeys: applied.keys,
        ...(errors.length ? { errors } : {}),
      };
    },
  };
}

export const nvd: SourceDefinition = {
  name: "nvd",
  create: (cfg, o) => nvdSource({
    baseUrl: o?.from ?? cfg.FEED_SYNC_NVD_URL, apiKey: cfg.FEED_SYNC_NVD_API_KEY, maxRequests: cfg.FEED_SYNC_NVD_MAX_REQUESTS,
    recheckMs: cfg.FEED_SYNC_NVD_RECHECK, enabled: cfg.FEED_SYNC_NVD_ENABLED,
  }),
};
