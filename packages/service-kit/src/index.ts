export * from "./metrics.js";
export * from "./http.js";
export * from "./lifecycle.js";
export type { FastifyInstance } from "fastify";
