import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { readOsvDir, readOsvZip } from "@lookout/advisories";
import { ingestAdvisories } from "@lookout/advisory-store";
import { migrate, openDatabase, type Database } from "@lookout/db";

const USAGE = "usage: lookout db import <dir-of-OSV-json | all.zip> [--source NAME]\n";

/** The local database: DATABASE_URL, else embedded PGlite in $LOOKOUT_DATA_DIR/pglite (default ./.lookout), migrated. */
export async function openLocalDatabase(env: NodeJS.ProcessEnv = process.env): Promise<Database> {
  const url = env.DATABASE_URL || undefined;
  const database = await openDatabase(url ? { url, poolSize: 2 } : { dataDir: join(resolve(env.LOOKOUT_DATA_DIR || "./.lookout"), "pglite") });
  try {
    await migrate(database.db);
  } catch (e) {
    await database.close().catch(() => {});
    throw e;
  }
  return database;
}

/** The caller's working directory (pnpm runs scripts from the workspace root and keeps the original in INIT_CWD). */
export const userPath = (p: string): string => resolve(process.env.INIT_CWD || process.cwd(), p);

export async function dbCommand(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { source: { type: "string" } } });
  const [sub, path] = positionals;
  if (sub !== "import" || !path || positionals.length !== 2) {
    process.stderr.write(USAGE);
    return 2;
  }
  const abs = userPath(path);
  const st = await stat(abs).catch(() => undefined);
  if (!st) {
    process.stderr.write(`lookout: ${path}: no such file or directory\n`);
    return 2;
  }
  const tty = process.stderr.isTTY === true;
  const database = await openLocalDatabase();
  let shown = 0;
  try {
    const reader = st.isDirectory() ? readOsvDir(abs) : readOsvZip(abs);
    const r = await ingestAdvisories(database.db, reader, {
      sourceName: values.source ?? "osv-import",
      onReject: (entry, error) => {
        if (shown++ < 20) process.stderr.write(`lookout: skipped ${entry ?? "?"}: ${error}\n`);
      },
      onBatch: (t) => {
        if (tty) process.stderr.write(`\r${t.added + t.changed + t.unchanged + t.withdrawn} records, ${t.rejected} rejected`);
      },
    });
    if (tty) process.stderr.write("\n");
    if (shown > 20) process.stderr.write(`lookout: ${shown - 20} more records skipped\n`);
    process.stdout.write(`added ${r.added}, changed ${r.changed}, unchanged ${r.unchanged}, withdrawn ${r.withdrawn}, rejected ${r.rejected}\n`);
    return 0;
  } finally {
    await database.close();
  }
}
