import { ingestAdvisories, type IngestSourceItem, type PackageKey } from "@lookout/advisory-store";
import { describeError } from "@lookout/domain";
import { download } from "../fetch/download.js";
import { loadValidators, saveValidators } from "../feed-state.js";
import type { SyncContext, SyncCounts } from "./types.js";

/** Running totals of a source made of several parts (OSV ecosystems, secdb branches). */
export class Totals {
  added = 0;
  changed = 0;
  withdrawn = 0;
  rejected = 0;
  parts = 0;
  unchangedParts = 0;
  readonly errors: string[] = [];
  private readonly keys = new Map<string, PackageKey>();

  addKeys(keys: readonly PackageKey[]): void {
    for (const k of keys) this.keys.set(`${k.ecosystem}\u0000${k.name}`, k);
  }

  result(): SyncCounts {
    return {
      added: this.added, changed: this.changed, withdrawn: this.withdrawn, rejected: this.rejected,
      unchanged: this.parts > 0 && this.unchangedParts === this.parts && this.errors.length === 0,
      changedKeys: [...this.keys.values()],
      ...(this.errors.length ? { errors: this.errors } : {}),
    };
  }
}

/** Ingest one stream of parsed records into the store, summing into `t`. */
export async function ingestStream(ctx: SyncContext, t: Totals, part: string, sourceName: string, items: AsyncIterable<IngestSourceItem>): Promise<void> {
  let shown = 0;
  const r = await ingestAdvisories(ctx.db, items, {
    sourceName,
    batchSize: ctx.batchSize,
    signal: ctx.signal,
    onReject: (entry, error) => {
      if (shown++ < 20) ctx.log.debug({ part, entry, error }, "record rejected");
    },
    onBatch: (b) => ctx.onProgress?.({ part, phase: "ingest", records: b.added + b.changed + b.unchanged + b.withdrawn + b.rejected }),
  });
  t.added += r.added;
  t.changed += r.changed;
  t.withdrawn += r.withdrawn;
  t.rejected += r.rejected;
  t.addKeys(r.changedKeys);
  ctx.log.info({ part, added: r.added, changed: r.changed, unchanged: r.unchanged, withdrawn: r.withdrawn, rejected: r.rejected }, "part ingested");
}

/**
 * One feed part fetched conditionally and ingested. A "not modified" answer costs no write; the
 * part's validators are saved only after its ingest committed. A failing part is recorded in
 * `t.errors` and the caller goes on with the next (cancellation still propagates).
 */
export async function syncPart(
  ctx: SyncContext, t: Totals, part: { key: string; url: string; read: (path: string) => AsyncIterable<IngestSourceItem> },
): Promise<void> {
  t.parts++;
  try {
    const prev = await loadValidators(ctx.db, part.key);
    const d = await download(part.url, {
      fetch: ctx.fetch, signal: ctx.signal, tmpDir: ctx.tmpDir, maxBytes: ctx.maxBytes, previous: prev,
      onProgress: (bytes, total) => ctx.onProgress?.({ part: part.key, phase: "download", bytes, ...(total !== undefined ? { total } : {}) }),
    });
    if (d.kind === "unchanged") {
      t.unchangedParts++;
      ctx.log.info({ part: part.key }, "part not modified");
      return;
    }
    // A reader's error item naming the file itself (unreadable zip directory) fails the whole part:
    // its validators are not saved, so the next run fetches it again.
    let broken: string | undefined;
    const path = d.path;
    async function* watched() {
      for await (const item of part.read(path)) {
        if ("error" in item && item.entry === path) broken = item.error;
        yield item;
      }
    }
    try {
      await ingestStream(ctx, t, part.key, part.key, watched());
    } finally {
      await d.cleanup();
    }
    if (broken !== undefined) throw new Error(broken);
    await saveValidators(ctx.db, part.key, d.validators);
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    const msg = `${part.key}: ${describeError(e)}`;
    t.errors.push(msg);
    ctx.log.warn({ part: part.key, err: msg }, "part failed");
  }
}
