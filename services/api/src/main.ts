import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SecretBox } from "@lookout/db";
import { type Logger } from "@lookout/log";
import { isMain, readinessChecks, runService, secretKeyFrom, type Infra } from "@lookout/runtime";
import { createMetrics } from "@lookout/service-kit";
import { buildApiApp } from "./app.js";
import { loadApiConfig, type ApiConfig } from "./config.js";


/** The configured token, or one generated once into the data folder and logged at first start. */
function apiTokenFrom(cfg: ApiConfig, dataDir: string, log: Logger): string {
  if (cfg.LOOKOUT_API_TOKEN) return cfg.LOOKOUT_API_TOKEN;
  const file = join(dataDir, "api.token");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(24).toString("base64url");
  writeFileSync(file, token + "\n", { mode: 0o600, flag: "wx" });
  log.info({ file }, "api token generated (LOOKOUT_API_TOKEN unset); read it from the file");
  return token;
}

export async function startApi(cfg: ApiConfig, infra: Infra, log: Logger) {
  const metrics = createMetrics("api");
  const app = buildApiApp({
    db: infra.database.db,
    box: new SecretBox(secretKeyFrom(cfg.LOOKOUT_SECRET_KEY, infra.dataDir)),
    log, metrics, readiness: readinessChecks(infra),
    apiToken: apiTokenFrom(cfg, infra.dataDir, log),
    policy: { allowPrivate: cfg.NOTIFIER_ALLOW_PRIVATE, allowLoopback: cfg.NOTIFIER_ALLOW_LOOPBACK, allowHttp: cfg.NOTIFIER_ALLOW_HTTP },
  });
  const address = await app.listen({ port: cfg.API_PORT, host: cfg.API_HOST });
  log.info({ address }, "api listening");
  return { name: "api", address, app, stop: () => app.close() };
}

if (isMain(import.meta.url)) await runService("api", loadApiConfig, startApi);
