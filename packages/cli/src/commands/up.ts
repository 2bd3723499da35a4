import { join, resolve } from "node:path";
import { ConfigError } from "@lookout/config";
import { createLogger } from "@lookout/log";
import { closeInfra, openInfra } from "@lookout/runtime";
import { installShutdown } from "@lookout/service-kit";
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
import { ensureLocalServers, stopStarted } from "./local-servers.js";

interface RunningService {
  name: string;
  address: string;
  stop(): Promise<void>;
}

/**
 * `lookout up`: the whole system in one process tree. Every service shares one set of
 * connections; without DATABASE_URL the database is PGlite in LOOKOUT_DATA_DIR (embedded
 * databases are single-process, which is why the services share this process).
 */
export async function up(_args: string[]): Promise<number> {
  let cfgs;
  try {
    cfgs = {
      webhook: loadWebhookConfig(process.env),
      scanner: loadScannerConfig(process.env),
      feedSync: loadFeedSyncConfig(process.env),
      notifier: loadNotifierConfig(process.env),
      api: loadApiConfig(process.env),
    };
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const p of e.problems) process.stderr.write(`lookout: config: ${p}\n`);
      return 2;
    }
    throw e;
  }
  const base = cfgs.webhook;
  const log = createLogger({ service: "lookout", level: base.LOG_LEVEL });
  const dataDir = resolve(base.LOOKOUT_DATA_DIR);
  const started = await ensureLocalServers({ nats: base.NATS_URL, redis: base.REDIS_URL }, dataDir, (m) => log.info({}, m));
  const infra = await openInfra(base, log, "lookout");
  const starters: [string, () => Promise<RunningService>][] = [
    ["webhook", () => startWebhook(cfgs.webhook, infra, createLogger({ service: "webhook", level: base.LOG_LEVEL }))],
    ["scanner", () => startScanner(cfgs.scanner, infra, createLogger({ service: "scanner", level: base.LOG_LEVEL }))],
    ["feed-sync", () => startFeedSync(cfgs.feedSync, infra, createLogger({ service: "feed-sync", level: base.LOG_LEVEL }))],
    ["notifier", () => startNotifier(cfgs.notifier, infra, createLogger({ service: "notifier", level: base.LOG_LEVEL }))],
    ["api", () => startApi(cfgs.api, infra, createLogger({ service: "api", level: base.LOG_LEVEL }))],
  ];
  const services: RunningService[] = [];
  for (const [name, start] of starters) {
    try {
      services.push(await start());
    } catch (e) {
      // A service that cannot start (a port in use) must not leave the rest holding the
      // process open: stop what did start, then fail with one line naming the service.
      for (const s of services.reverse()) await s.stop().catch(() => {});
      await closeInfra(infra).catch(() => {});
      await stopStarted(started);
      throw new Error(`${name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
  log.info({
    database: infra.database.kind === "pglite" ? join(dataDir, "pglite") : "postgres (DATABASE_URL)",
    registries: infra.registries.map((r) => `${r.id}=${r.host}`),
    endpoints: Object.fromEntries(services.map((s) => [s.name, s.address])),
  }, "lookout up");
  // Intake first (HTTP, consumers, workers), then connections, then the servers we started.
  installShutdown(log, () => [
    ...services,
    { name: "infra", stop: () => closeInfra(infra) },
    { name: "local servers", stop: () => stopStarted(started) },
  ], base.LOOKOUT_SHUTDOWN_GRACE);
  await new Promise(() => {}); // run until a signal
  return 0;
}
