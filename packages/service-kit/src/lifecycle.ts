import type { Logger } from "pino";

export interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

/**
 * SIGTERM/SIGINT: stop taking work, finish or hand back in-flight work, close connections, exit
 * within `graceMs` whatever happens (a stuck close must not keep a pod alive forever).
 * Stoppables run in order: put intake (HTTP, consumers, workers) before connections.
 */
export function installShutdown(log: Logger, stoppables: () => Stoppable[], graceMs = 20_000): (reason: string) => Promise<void> {
  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string) => {
    if (stopping) return stopping;
    log.info({ reason }, "shutdown start");
    const timer = setTimeout(() => {
      log.error({ graceMs }, "shutdown timed out, exiting");
      process.exit(1);
    }, graceMs);
    timer.unref();
    stopping = (async () => {
      for (const s of stoppables()) {
        try {
          await s.stop();
        } catch (e) {
          log.warn({ part: s.name, err: (e as Error).message }, "shutdown step failed");
        }
      }
      clearTimeout(timer);
      log.info({}, "shutdown done");
    })();
    return stopping;
  };
  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    process.once(sig, () => void shutdown(sig).then(() => process.exit(0)));
  }
  return shutdown;
}
