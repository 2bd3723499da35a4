import { randomBytes } from "node:crypto";
import pg from "pg";
import { migrate, openDatabase, type Database } from "@lookout/db";

/** Admin URL of the Postgres the integration tests use; each test file gets its own database in it. */
export const TEST_PG_URL = process.env.LOOKOUT_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface TestDatabase extends Database {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database; `drop()` removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `lk_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(TEST_PG_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  const database = await openDatabase({ url, poolSize: 4 });
  await migrate(database.db);
  return {
    ...database,
    url,
    drop: async () => {
      await database.close().catch(() => {});
      const a = new pg.Client({ connectionString: TEST_PG_URL });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}
