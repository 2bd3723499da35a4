import { parseArgs } from "node:util";
import { ConfigError, matchScopeOf } from "@lookout/config";
import { desc } from "drizzle-orm";
import { schema } from "@lookout/db";
import { loadFeedSyncConfig } from "@lookout/feed-sync/config";
import { SOURCES, syncSource, type SyncProgress } from "@lookout/feed-sync/app";
import { createLogger } from "@lookout/log";
import { openLocalDatabase, userPath } from "./db-import.js";

const USAGE = `usage: lookout feeds sync [--source NAME] [--from DIR|URL]
       lookout feeds runs [--limit N]
sources: ${SOURCES.map((s) => s.name).join(", ")}
`;

/** `lookout feeds sync|runs`: sync advisory feeds in this process (DATABASE_URL or the embedded database). */
export async function feedsCommand(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args, allowPositionals: true,
    options: { source: { type: "string" }, from: { type: "string" }, limit: { type: "string" } },
  });
  const [sub] = positionals;
  if (positionals.length !== 1 || (sub !== "sync" && sub !== "runs")) {
    process.stderr.write(USAGE);
    return 2;
  }
  let cfg;
  try {
    cfg = loadFeedSyncConfig(process.env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    for (const p of e.problems) process.stderr.write(`lookout: config: ${p}\n`);
    return 2;
  }
  if (sub === "runs") return listRuns(Number(values.limit ?? 20));
  const defs = values.source ? SOURCES.filter((s) => s.name === values.source) : SOURCES;
  if (defs.length === 0) {
    process.stderr.write(`lookout: unknown source ${JSON.stringify(values.source)}\n${USAGE}`);
    return 2;
  }
  if (values.from && !values.source) {
    process.stderr.write("lookout: --from needs --source (each source reads its own layout)\n");
    return 2;
  }
  const from = values.from && !/^[a-z][a-z0-9+.-]*:\/\//i.test(values.from) ? userPath(values.from) : values.from;
  const log = createLogger({ service: "lookout-feeds", level: process.env.LOG_LEVEL ?? "warn", destination: process.stderr });
  const database = await openLocalDatabase();
  const ac = new AbortController();
  const onSig = () => ac.abort(new Error("interrupted"));
  process.once("SIGINT", onSig);
  const bar = process.stderr.isTTY ? progressBar() : undefined;
  let failed = 0;
  try {
    for (const def of defs) {
      const source = def.create(cfg, from ? { from } : {});
      if (!values.source && source.enabled === false) continue; // opt-in sources run only when named
      const r = await syncSource({
        db: database.db, namespace: "cli", log, timeoutMs: cfg.FEED_SYNC_TIMEOUT, fetch: (url, init) => fetch(url, init),
        maxBytes: cfg.FEED_SYNC_MAX_DOWNLOAD, batchSize: cfg.FEED_SYNC_BATCH, signal: ac.signal, match: matchScopeOf(cfg),
        ...(bar ? { onProgress: (p: SyncProgress) => bar.update(def.name, p) } : {}),
      }, source, "manual");
      bar?.done();
      const c = r.counts;
      const rm = r.rematch;
      process.stdout.write(`${def.name}: ${r.status}${c ? `, added ${c.added}, changed ${c.changed}, withdrawn ${c.withdrawn}, rejected ${c.rejected}` : ""}`
        + `${rm ? `, re-matched ${rm.images} images (${rm.new} new, ${rm.resolved} resolved, ${rm.retracted} retracted findings)` : ""}\n`);
      if (r.error) process.stderr.write(`lookout: ${def.name}: ${r.error}\n`);
      if (r.status === "failed") failed++;
    }
    return failed ? 1 : 0;
  } finally {
    process.off("SIGINT", onSig);
    await database.close();
  }
}

async function listRuns(limit: number): Promise<number> {
  const database = await openLocalDatabase();
  try {
    const rows = await database.db.select().from(schema.feedSyncRuns).orderBy(desc(schema.feedSyncRuns.startedAt)).limit(Math.max(1, Math.min(limit || 20, 1000)));
    for (const r of rows) {
      process.stdout.write(`${r.startedAt.toISOString()}  ${r.source.padEnd(16)} ${r.status.padEnd(10)} +${r.added} ~${r.changed} -${r.withdrawn} !${r.rejected}${r.error ? `  ${r.error}` : ""}\n`);
    }
    return 0;
  } finally {
    await database.close();
  }
}

/** One line on stderr, redrawn at most every 100 ms: part, phase, a bar when the size is known. */
function progressBar() {
  let last = 0;
  let shown = false;
  const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
  return {
    update(source: string, p: SyncProgress) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      let text = `${source} ${p.part} ${p.phase}`;
      if (p.phase === "download" && p.bytes !== undefined) {
        if (p.total) {
          const w = 24;
          const f = Math.min(w, Math.round((p.bytes / p.total) * w));
          text += ` [${"#".repeat(f)}${".".repeat(w - f)}] ${mib(p.bytes)} / ${mib(p.total)}`;
        } else text += ` ${mib(p.bytes)}`;
      }
      if (p.records !== undefined) text += ` ${p.records} records`;
      process.stderr.write(`\r\x1b[2K${text.slice(0, (process.stderr.columns || 100) - 1)}`);
      shown = true;
    },
    done() {
      if (shown) process.stderr.write("\r\x1b[2K");
      shown = false;
    },
  };
}
