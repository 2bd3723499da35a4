import { z } from "@lookout/config";
import { CHANNELS } from "@lookout/channels";
import type { FastifyInstance } from "@lookout/service-kit";
import { subscriptionInputSchema } from "./subscriptions.js";

const json = (schema: object) => ({ "application/json": { schema } });
const ok = (description: string, schema: object = { type: "object" }) => ({ 200: { description, content: json(schema) } });
const errors = { $ref: "#/components/schemas/Error" };
const e400 = { 400: { description: "Invalid input; the message starts with the offending field", content: json(errors) } };
const e401 = { 401: { description: "Missing or bad API token", content: json(errors) } };
const e404 = { 404: { description: "Not found", content: json(errors) } };
const secured = { security: [{ bearer: [] }] };
const idParam = (name: string, description: string) => ({ name, in: "path", required: true, schema: { type: "string" }, description });
const query = (name: string, description: string, schema: object = { type: "string" }) => ({ name, in: "query", required: false, schema, description });
const paging = [query("limit", "Page size (default 100)", { type: "integer" }), query("offset", "Items to skip", { type: "integer" })];
const list = (item: string) => ({ type: "object", properties: { items: { type: "array", items: { $ref: `#/components/schemas/${item}` } } } });

function toSchema(s: z.ZodType): object {
  const { $schema: _s, ...rest } = z.toJSONSchema(s, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

/**
 * The api's OpenAPI 3.1 document, written by hand; request bodies come from the zod schemas the
 * routes validate with, so they cannot drift. A test checks every registered route is here.
 */
export function openApiDocument(): Record<string, unknown> {
  const input = toSchema(subscriptionInputSchema) as { properties: Record<string, unknown> };
  input.properties.destination = {
    description: "Depends on `channel`. Secrets in it (Slack URL, signing secret) are stored encrypted and never returned.",
    oneOf: Object.values(CHANNELS).map((c) => ({ title: c.name, ...toSchema(c.destinationSchema as z.ZodType) })),
  };
  input.properties.channel = { type: "string", enum: Object.keys(CHANNELS) };
  return {
    openapi: "3.1.0",
    info: { title: "Lookout API", version: "1", description: "Read and management API. Every /api route needs `Authorization: Bearer <LOOKOUT_API_TOKEN>`." },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        Error: { type: "object", properties: { error: { type: "object", properties: { code: { type: "string" }, message: { type: "string" } }, required: ["code", "message"] } } },
        SubscriptionInput: input,
        Subscription: {
          type: "object",
          properties: {
            id: { type: "string", format: "uuid" }, name: { type: "string" }, channel: { type: "string" },
            publicDestination: { type: "object", description: "Host of the URL, or the recipients; never a secret" },
            filter: input.properties.filter, cadence: input.properties.cadence,
            paused: { type: "boolean" }, pausedReason: { type: ["string", "null"] }, consecutiveFailures: { type: "integer" }, createdAt: { type: "string", format: "date-time" },
          },
        },
        Delivery: {
          type: "object",
          properties: {
            id: { type: "integer" }, subscriptionId: { type: "string" }, eventId: { type: "string" }, eventType: { type: "string" },
            status: { type: "string", enum: ["pending", "delivered", "failed", "skipped"] }, attempts: { type: "integer" },
            lastError: { type: ["string", "null"], description: "Why the last attempt failed (e.g. `HTTP 410`, `slack: invalid_payload (HTTP 400)`)" },
            latencyMs: { type: ["integer", "null"], description: "Event time to delivery" },
            createdAt: { type: "string", format: "date-time" }, deliveredAt: { type: ["string", "null"], format: "date-time" },
          },
        },
        Image: { type: "object" }, Scan: { type: "object" },
      },
    },
    paths: {
      "/healthz": { get: { summary: "Liveness", responses: ok("Alive") } },
      "/readyz": { get: { summary: "Readiness of Postgres, Redis and NATS", responses: { ...ok("Ready"), 503: { description: "A dependency is down" } } } },
      "/metrics": { get: { summary: "Prometheus metrics", responses: { 200: { description: "Text exposition format", content: { "text/plain": { schema: { type: "string" } } } } } } },
      "/openapi.json": { get: { summary: "This document", responses: ok("OpenAPI 3.1 document") } },
      "/api/v1/images": { get: { ...secured, summary: "Images seen", parameters: [query("repository", "Only this repository"), query("deleted", "exclude (default): live images; include: also images deleted from the registry (deletedAt set); only: just those"), ...paging], responses: { ...ok("Images", list("Image")), ...e401 } } },
      "/api/v1/images/{id}": { get: { ...secured, summary: "One image with its layers and config facts", parameters: [idParam("id", "Numeric image id")], responses: { ...ok("Image", { $ref: "#/components/schemas/Image" }), ...e401, ...e404 } } },
      "/api/v1/scans": { get: { ...secured, summary: "Scans, newest first", parameters: [query("imageId", "Only this image"), ...paging], responses: { ...ok("Scans", list("Scan")), ...e401 } } },
      "/api/v1/scans/{id}": { get: { ...secured, summary: "One scan (without its SBOM)", parameters: [idParam("id", "Scan uuid")], responses: { ...ok("Scan", { $ref: "#/components/schemas/Scan" }), ...e401, ...e404 } } },
      "/api/v1/scans/{id}/sbom": { get: { ...secured, summary: "A scan's SBOM", parameters: [idParam("id", "Scan uuid")], responses: { ...ok("SBOM"), ...e401, ...e404 } } },
      "/api/v1/subscriptions": {
        get: { ...secured, summary: "Subscriptions (secrets never shown)", responses: { ...ok("Subscriptions", list("Subscription")), ...e401 } },
        post: {
          ...secured, summary: "Create a subscription",
          description: "Destination URLs must pass the destination policy: private, loopback and link-local addresses are refused unless the operator allows them.",
          requestBody: { required: true, content: json({ $ref: "#/components/schemas/SubscriptionInput" }) },
          responses: { 201: { description: "Created", content: json({ $ref: "#/components/schemas/Subscription" }) }, ...e400, ...e401 },
        },
      },
      "/api/v1/subscriptions/{id}": {
        get: { ...secured, summary: "One subscription", parameters: [idParam("id", "Subscription uuid")], responses: { ...ok("Subscription", { $ref: "#/components/schemas/Subscription" }), ...e401, ...e404 } },
        delete: { ...secured, summary: "Delete a subscription and its delivery log", parameters: [idParam("id", "Subscription uuid")], responses: { 204: { description: "Deleted" }, ...e401, ...e404 } },
      },
      "/api/v1/subscriptions/{id}/pause": {
        post: {
          ...secured, summary: "Pause (default) or resume a subscription", parameters: [idParam("id", "Subscription uuid")],
          requestBody: { required: false, content: json({ type: "object", properties: { paused: { type: "boolean", default: true } } }) },
          responses: { ...ok("New state", { type: "object", properties: { id: { type: "string" }, paused: { type: "boolean" } } }), ...e401, ...e404 },
        },
      },
      "/api/v1/deliveries": {
        get: {
          ...secured, summary: "Delivery log, newest first",
          parameters: [query("subscriptionId", "Only this subscription"), query("status", "pending, delivered, failed or skipped"), query("limit", "At most 1000", { type: "integer" })],
          responses: { ...ok("Deliveries", list("Delivery")), ...e400, ...e401 },
        },
      },
      "/unsubscribe/{token}": {
        get: { summary: "Unsubscribe confirmation page (does not unsubscribe)", parameters: [idParam("token", "Opaque token from List-Unsubscribe")], responses: { 200: { description: "HTML page with a button", content: { "text/html": { schema: { type: "string" } } } }, ...e404 } },
        post: { summary: "One-click unsubscribe (RFC 8058): pauses the subscription", parameters: [idParam("token", "Opaque token from List-Unsubscribe")], responses: { ...ok("Unsubscribed"), ...e404 } },
      },
    },
  };
}

export function openApiRoute(app: FastifyInstance) {
  const doc = openApiDocument();
  app.get("/openapi.json", async () => doc);
}
