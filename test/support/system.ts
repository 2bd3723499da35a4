import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadApiConfig } from "@lookout/api/config";
import { loadFeedSyncConfig } from "@lookout/feed-sync/config";
import { loadNotifierConfig } from "@lookout/notifier/config";
import { loadScannerConfig } from "@lookout/scanner/config";
import { loadWebhookConfig } from "@lookout/webhook/config";
import { startApi } from "@lookout/api";
import { startFeedSync } from "@lookout/feed-sync";
import { startNotifier } from "@lookout/notifier";
import { startScanner } from "@lookout/scanner";
import { startWebhook } from "@lookout/webhook";
import { createLogger } from "@lookout/log";
import { closeInfra, openInfra, type Infra } from "@lookout/runtime";
import { createTestDatabase, type TestDatabase } from "@lookout/testkit";

export interface System {
  env: Record<string, string>;
  infra: Infra;
  db: TestDatabase;
  urls: { webhook: string; api: string; scanner: string; notifier: string; feedSync: string };
  apiToken: string;
  stop(): Promise<void>;
}

export interface SystemOptions {
  registries: unknown[];
  slackUrl?: string;
  extraEnv?: Record<string, string>;
  services?: ("webhook" | "scanner" | "feedSync" | "notifier" | "api")[];
}

/**
 * The whole pipeline in this process against real Postgres (a fresh database), Redis and NATS
 * (a fresh namespace), every HTTP service on a free port. Nothing shared with other test files.
 */
export async function startSystem(opts: SystemOptions): Promise<System> {
  const db = await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), "lk-sys-"));
  const apiToken = randomBytes(16).toString("hex");
  const env: Record<string, string> = {
    LOG_LEVEL: process.env.LOOKOUT_TEST_LOG_LEVEL ?? "silent",
    DATABASE_URL: db.url,
    LOOKOUT_DATA_DIR: dataDir,
    LOOKOUT_NAMESPACE: `t${randomBytes(5).toString("hex")}`,
    LOOKOUT_REGISTRIES: JSON.stringify(opts.registries),
    LOOKOUT_API_TOKEN: apiToken,
    LOOKOUT_SECRET_KEY: randomBytes(32).toString("base64"),
    NOTIFIER_ALLOW_LOOPBACK: "true",
    NOTIFIER_ALLOW_HTTP: "true",
    WEBHOOK_PORT: "0", SCANNER_PORT: "0", FEED_SYNC_PORT: "0", NOTIFIER_PORT: "0", API_PORT: "0",
    ...(opts.slackUrl ? { LOOKOUT_SLACK_WEBHOOK_URL: opts.slackUrl } : {}),
    ...opts.extraEnv,
  };
  const log = createLogger({ service: "test", level: env.LOG_LEVEL });
  const infra = await openInfra(loadWebhookConfig(env), log, "test");
  const want = new Set(opts.services ?? ["webhook", "scanner", "feedSync", "notifier", "api"]);
  const started: { name: string; address: string; stop(): Promise<void> }[] = [];
  if (want.has("webhook")) started.push(await startWebhook(loadWebhookConfig(env), infra, log));
  if (want.has("scanner")) started.push(await startScanner(loadScannerConfig(env), infra, log));
  if (want.has("feedSync")) started.push(await startFeedSync(loadFeedSyncConfig(env), infra, log));
  if (want.has("notifier")) started.push(await startNotifier(loadNotifierConfig(env), infra, log));
  if (want.has("api")) started.push(await startApi(loadApiConfig(env), infra, log));
  const addr = (n: string) => started.find((s) => s.name === n)?.address ?? "";
  return {
    env, infra, db, apiToken,
    urls: { webhook: addr("webhook"), api: addr("api"), scanner: addr("scanner"), notifier: addr("notifier"), feedSync: addr("feed-sync") },
    stop: async () => {
      for (const s of started.reverse()) await s.stop().catch(() => {});
      await infra.bus.deleteStream().catch(() => {});
      // BullMQ keys of this namespace
      const keys = await infra.redis.keys(`${env.LOOKOUT_NAMESPACE}:*`);
      if (keys.length) await infra.redis.del(...keys);
      await closeInfra(infra);
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
