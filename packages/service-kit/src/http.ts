import { randomUUID } from "node:crypto";
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from "fastify";
import { ERROR_CODES, isLookoutError } from "@lookout/domain";
import type { Logger } from "pino";
import type { Metrics } from "./metrics.js";

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export interface HttpOptions {
  logger: Logger;
  metrics: Metrics;
  readiness: ReadinessCheck[];
  bodyLimit?: number;
  fastify?: Partial<FastifyServerOptions>;
}

/**
 * A fastify instance with what every service exposes: /healthz (process alive), /readyz (each
 * dependency answers within 2 s), /metrics (Prometheus), request ids taken from
 * X-Request-Id / X-Correlation-Id or minted, and an error handler that shows only known codes.
 */
export function createHttp(opts: HttpOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: opts.logger as any,
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    requestIdHeader: "x-correlation-id",
    genReqId: (req) => {
      const h = req.headers["x-request-id"];
      return typeof h === "string" && /^[\w.-]{1,128}$/.test(h) ? h : randomUUID();
    },
    // Our own onResponse hook logs one line per request; fastify's two per request are off.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: "correlationId" }),
    ...opts.fastify,
  });

  app.addHook("onResponse", async (req, reply) => {
    const route = req.routeOptions.url ?? "unmatched";
    opts.metrics.httpRequests.inc({ route, method: req.method, status: String(reply.statusCode) });
    opts.metrics.httpDuration.observe({ route, method: req.method }, reply.elapsedTime / 1000);
    if (route !== "/metrics" && route !== "/healthz" && route !== "/readyz") {
      req.log.info({ method: req.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, "request done");
    }
  });

  app.setErrorHandler((err, req, reply) => {
    if (isLookoutError(err)) {
      const status = err.status ?? (err.code === "LKT_ERR_VALIDATION" ? 400 : err.code === "LKT_ERR_NOT_FOUND" ? 404 : 500);
      if (status >= 500) req.log.error({ err }, "request failed");
      return reply.status(status).send({ error: { code: err.code, message: status >= 500 ? ERROR_CODES[err.code] : err.message } });
    }
    const e = err as { statusCode?: number; code?: string; message: string; validation?: unknown };
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      // fastify's own client errors (body too large, bad JSON, wrong content type): their messages are safe.
      return reply.status(e.statusCode).send({ error: { code: e.code ?? "LKT_ERR_VALIDATION", message: e.message } });
    }
    req.log.error({ err }, "request failed");
    return reply.status(500).send({ error: { code: "LKT_ERR_INTERNAL", message: ERROR_CODES.LKT_ERR_INTERNAL } });
  });

  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_req, reply) => {
    const results = await Promise.all(
      opts.readiness.map(async (r) => {
        try {
          await Promise.race([r.check(), new Promise((_, rej) => setTimeout(() => rej(new Error("timeout after 2s")), 2000).unref())]);
          return [r.name, "ok"] as const;
        } catch (e) {
          return [r.name, (e as Error).message || "failed"] as const;
        }
      }),
    );
    const ready = results.every(([, s]) => s === "ok");
    return reply.status(ready ? 200 : 503).send({ status: ready ? "ready" : "not ready", checks: Object.fromEntries(results) });
  });
  app.get("/metrics", async (_req, reply) => {
    reply.header("content-type", opts.metrics.registry.contentType);
    return opts.metrics.registry.metrics();
  });
  return app;
}
