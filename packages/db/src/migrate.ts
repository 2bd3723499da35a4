import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { Db } from "./client.js";

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "migrations");
// Any constant works; it only has to be the same for every replica racing to migrate.
const LOCK_ID = 7_314_159_265;

export interface Migration {
  name: string;
  statements: string[];
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_.+\.sql$/.test(f))
    .sort()
    .map((f) => ({
      name: f.replace(/\.sql$/, ""),
      statements: readFileSync(join(dir, f), "utf8")
        .split("--> statement-breakpoint")
        .map((s) => s.trim())
        .filter(Boolean),
    }));
}

/**
 * Apply pending migrations, each in its own transaction. Replicas starting together serialise on
 * an advisory lock, so exactly one applies each file. Returns the names applied.
 */
export async function migrate(db: Db, migrations = loadMigrations()): Promise<string[]> {
  const applied: string[] = [];
  await db.execute(sql`create table if not exists lookout_migrations (name text primary key, applied_at timestamptz not null default now())`);
  for (const m of migrations) {
    await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_ID})`);
      const done = await tx.execute(sql`select 1 from lookout_migrations where name = ${m.name}`);
      if (rowsOf(done).length > 0) return;
      for (const s of m.statements) await tx.execute(sql.raw(s));
      await tx.execute(sql`insert into lookout_migrations (name) values (${m.name})`);
      applied.push(m.name);
    });
  }
  return applied;
}

/** node-postgres returns {rows}, PGlite returns {rows} too; normalise defensively. */
export function rowsOf<T = Record<string, unknown>>(r: unknown): T[] {
  if (Array.isArray(r)) return r as T[];
  return ((r as { rows?: T[] }).rows ?? []) as T[];
}
