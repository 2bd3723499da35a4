import { pino, type Logger, type LoggerOptions, type DestinationStream } from "pino";

export type { Logger };

/**
 * Paths pino blanks in every log line. Credentials travel in headers, registry configs and
 * subscription destinations; none of them may reach a log.
 */
export const REDACT_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "headers.authorization",
  "authorization",
  "password",
  "token",
  "secret",
  "*.password",
  "*.token",
  "*.secret",
  "*.webhookToken",
  "*.signingSecret",
  "*.url",
  "registries[*].password",
  "registries[*].webhookToken",
];

/** The root logger; only main.ts files call this. Libraries take a logger as a parameter. */
export function createLogger(opts: { service: string; level?: string; destination?: DestinationStream }): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? "info",
    base: { service: opts.service },
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/** A logger that drops everything, for tests and library defaults. */
export const silentLogger: Logger = pino({ level: "silent" });
