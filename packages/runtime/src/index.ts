import { join, resolve } from "node:path";
import type { RegistrySource } from "@lookout/config";
import { Bus } from "@lookout/bus";
import { migrate, openDatabase, type Database } from "@lookout/db";
import { redisConnection } from "@lookout/queue";
import type { Logger } from "@lookout/log";
import type { Redis } from "@lookout/queue";

/**
 * The connections a service needs, built once in main.ts (or once for all services by
 * `lookout up`) and passed down. Nothing below main.ts opens its own connections.
 */
export interface Infra {
  database: Database;
  bus: Bus;
  redis: Redis;
  namespace: string;
  registries: RegistrySource[];
  dataDir: string;
}

export interface InfraConfig {
  DATABASE_URL?: string | undefined;
  LOOKOUT_DATA_DIR: string;
  REDIS_URL: string;
  NATS_URL: string;
  LOOKOUT_NAMESPACE: string;
  LOOKOUT_REGISTRIES: RegistrySource[];
}

export async function openInfra(cfg: InfraConfig, log: Logger, name: string): Promise<Infra> {
  const dataDir = resolve(cfg.LOOKOUT_DATA_DIR);
  const database = await openDatabase({ url: cfg.DATABASE_URL, dataDir: join(dataDir, "pglite") });
  const applied = await migrate(database.db);
  if (applied.length) log.info({ applied, kind: database.kind }, "migrations applied");
  const bus = await Bus.connect({ servers: cfg.NATS_URL, namespace: cfg.LOOKOUT_NAMESPACE, name, log });
  const redis = redisConnection(cfg.REDIS_URL);
  redis.on("error", (e) => log.warn({ err: e.message }, "redis connection error"));
  return { database, bus, redis, namespace: cfg.LOOKOUT_NAMESPACE, registries: cfg.LOOKOUT_REGISTRIES, dataDir };
}

export async function closeInfra(infra: Infra): Promise<void> {
  await infra.bus.close().catch(() => {});
  infra.redis.disconnect();
  await infra.database.close().catch(() => {});
}

export function readinessChecks(infra: Infra) {
  return [
    { name: "database", check: () => infra.database.ping() },
    { name: "nats", check: () => infra.bus.ping() },
    { name: "redis", check: async () => void (await infra.redis.ping()) },
  ];
}
export * from "./secrets.js";
export * from "./run-service.js";
