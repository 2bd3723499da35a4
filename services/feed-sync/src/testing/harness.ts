import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { Bus } from "@lookout/bus";
import { replacePackages, schema, startScan, upsertImage, type Db } from "@lookout/db";
import type { Envelope, FindingsChanged, Package } from "@lookout/domain";
import { createLogger } from "@lookout/log";
import { redisConnection, type Redis } from "@lookout/queue";
import { createTestDatabase, type TestDatabase } from "@lookout/testkit";
import { sql } from "drizzle-orm";
import type { FeedSource } from "../sources/index.js";
import type { SyncDeps } from "../sync.js";

export const silent = createLogger({ service: "test", level: process.env.LOOKOUT_TEST_LOG_LEVEL ?? "silent" });

/** A real record from testdata/, as text (so a test can serve it verbatim or change a copy). */
export const testdata = (path: string): string => readFileSync(new URL(`../../testdata/${path}`, import.meta.url), "utf8");

export interface Harness {
  db: Db;
  database: TestDatabase;
  bus: Bus;
  redis: Redis;
  namespace: string;
  /** Every findingsChanged envelope published through `deps`. */
  events: Envelope<FindingsChanged>[];
  deps(extra?: Partial<SyncDeps>): SyncDeps;
  close(): Promise<void>;
}

/** A fresh Postgres database, a NATS namespace (stream declared) and Redis, for one test file. */
export async function startHarness(): Promise<Harness> {
  const database = await createTestDatabase();
  const namespace = `t${randomBytes(5).toString("hex")}`;
  const bus = await Bus.connect({ servers: "nats://127.0.0.1:4222", namespace });
  await bus.declare();
  const redis = redisConnection("redis://127.0.0.1:6379");
  const events: Envelope<FindingsChanged>[] = [];
  const capturing = {
    publish: (async (name, env) => {
      if (name === "findingsChanged") events.push(env as Envelope<FindingsChanged>);
      return bus.publish(name, env);
    }) as Bus["publish"],
  };
  return {
    db: database.db, database, bus, redis, namespace, events,
    deps: (extra = {}) => ({
      db: database.db, bus: capturing, redis, namespace, log: silent, timeoutMs: 60_000,
      fetch: (url, init) => fetch(url, init), maxBytes: 64 * 1024 * 1024, batchSize: 100, ...extra,
    }),
    close: async () => {
      await bus.deleteStream().catch(() => {});
      await bus.nc.close();
      const keys = await redis.keys(`${namespace}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await database.drop();
    },
  };
}

/** Store an image with an inventory, as a finished scan would have. */
export async function seedImage(db: Db, repository: string, pkgs: Package[], distro?: unknown): Promise<number> {
  const digest = `sha256:${randomBytes(32).toString("hex")}`;
  const imageId = await upsertImage(db, { registry: "registry.test:5000", repository, digest, tag: "latest", layers: [] });
  const scanId = await startScan(db, { imageId, reason: "test" });
  if (distro) await db.execute(sql`update scans set distro = ${JSON.stringify(distro)}::jsonb, status = 'succeeded' where id = ${scanId}`);
  await replacePackages(db, imageId, scanId, pkgs);
  return imageId;
}

export const goPkg = (name: string, version: string): Package =>
  ({ type: "go-module", name, version, ecosystem: "Go", purl: `pkg:golang/${name}@${version}`, path: "app/bin/server" });
export const npmPkg = (name: string, version: string): Package =>
  ({ type: "npm", name, version, ecosystem: "npm", purl: `pkg:npm/${name}@${version}`, path: `app/node_modules/${name}/package.json` });

export async function openFindings(db: Db, imageId: number): Promise<string[]> {
  const rows = await db.execute(sql`select advisory_id from findings where image_id = ${imageId} and status = 'open' order by advisory_id`);
  return (("rows" in rows ? rows.rows : rows) as { advisory_id: string }[]).map((r) => r.advisory_id);
}

/** The first column of the first row, as text. */
export async function scalar(db: Db, query: ReturnType<typeof sql>): Promise<string | null> {
  const rows = await db.execute(query);
  const first = (("rows" in rows ? rows.rows : rows) as Record<string, unknown>[])[0];
  return first ? (Object.values(first)[0] as string | null) : null;
}

export async function count(db: Db, query: ReturnType<typeof sql>): Promise<number> {
  const rows = await db.execute(query);
  return Number((("rows" in rows ? rows.rows : rows) as { n: string }[])[0]!.n);
}

export { schema };

/** A source named "slow" whose sync blocks until `release()`; counts calls and the most running at once. */
export function heldSource(): { source: FeedSource; release(): void; calls(): number; maxActive(): number } {
  let active = 0;
  let max = 0;
  let calls = 0;
  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  return {
    source: {
      name: "slow",
      async sync() {
        calls++;
        max = Math.max(max, ++active);
        await held;
        active--;
        return { added: 0, changed: 0, withdrawn: 0, rejected: 0, unchanged: true };
      },
    },
    release: () => release(),
    calls: () => calls,
    maxActive: () => max,
  };
}
