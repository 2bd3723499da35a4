import { ConfigError, type Env } from "@lookout/config";
import { createLogger, type Logger } from "@lookout/log";
import { installShutdown } from "@lookout/service-kit";
import { closeInfra, openInfra, type Infra, type InfraConfig } from "./index.js";

interface BaseConfig extends InfraConfig {
  LOG_LEVEL: string;
  LOOKOUT_SHUTDOWN_GRACE: number;
}

/** True when `url` (import.meta.url) is the entry point of this process. */
export function isMain(url: string): boolean {
  return url === `file://${process.argv[1]}`;
}

/**
 * A service's main: env → config (exit 2 with one line per bad variable) → logger →
 * connections → start → SIGTERM drains the service, then closes the connections.
 */
export async function runService<C extends BaseConfig>(
  name: string,
  load: (env: Env) => C,
  start: (cfg: C, infra: Infra, log: Logger) => Promise<{ name: string; stop(): Promise<void> }>,
): Promise<void> {
  let cfg: C;
  try {
    cfg = load(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const p of e.problems) console.error(`${name}: config: ${p}`);
      process.exit(2);
    }
    throw e;
  }
  const log = createLogger({ service: name, level: cfg.LOG_LEVEL });
  const infra = await openInfra(cfg, log, name);
  const svc = await start(cfg, infra, log);
  installShutdown(log, () => [svc, { name: "infra", stop: () => closeInfra(infra) }], cfg.LOOKOUT_SHUTDOWN_GRACE);
}
