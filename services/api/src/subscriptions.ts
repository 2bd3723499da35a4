import { LookoutError, SEVERITIES } from "@lookout/domain";
import { z } from "@lookout/config";
import {
  createSubscription, deleteSubscription, getSubscription, listDeliveries, listSubscriptions, setSubscriptionPaused, type Db, type SecretBox,
} from "@lookout/db";
import { checkDestination, isChannelName, parseDestination, type DestinationPolicy } from "@lookout/channels";
import type { FastifyInstance } from "@lookout/service-kit";
import { openApiRoute } from "./openapi.js";
import { unsubscribeRoutes } from "./unsubscribe.js";

const KINDS = ["scan.completed", "findings.new", "findings.resolved", "scan.failed"] as const;

export const subscriptionInputSchema = z.object({
  name: z.string().min(1).max(200),
  channel: z.string(),
  destination: z.unknown(),
  filter: z.object({
    repositories: z.array(z.string().min(1).max(255)).max(100).default([]),
    minSeverity: z.enum(SEVERITIES).default("unknown"),
    onlyFixable: z.boolean().default(false),
    onlyNew: z.boolean().default(false),
    kinds: z.array(z.enum(KINDS)).default([]),
  }).default({ repositories: [], minSeverity: "unknown", onlyFixable: false, onlyNew: false, kinds: [] }),
  cadence: z.union([
    z.object({ mode: z.literal("immediate") }),
    z.object({ mode: z.literal("digest"), everyMinutes: z.number().int().min(1).max(10_080) }),
  ]).default({ mode: "immediate" }),
});

function badRequest(err: z.ZodError): never {
  const i = err.issues[0]!;
  const field = i.path.map(String).join(".") || "(body)";
  throw new LookoutError("LKT_ERR_VALIDATION", `${field}: ${i.message}`, { status: 400, details: { field } });
}

/** What the API shows of a destination: never the secret (Slack URL path, signing secret). */
function publicView(channel: string, dest: any): unknown {
  if (channel === "email") return { to: dest.to };
  return { host: new URL(dest.url).host, ...(dest.format ? { format: dest.format } : {}) };
}

const DELIVERY_STATUSES = ["pending", "delivered", "failed", "skipped"];
const notFound = () => new LookoutError("LKT_ERR_NOT_FOUND", "subscription not found", { status: 404 });

/**
 * Subscription CRUD and the delivery log under /api/v1 (token-protected by app.ts), plus the
 * token-free one-click unsubscribe routes and GET /openapi.json.
 */
export function subscriptionRoutes(app: FastifyInstance, deps: { db: Db; box: SecretBox; policy: DestinationPolicy }) {
  openApiRoute(app);
  unsubscribeRoutes(app, deps);
  app.get("/api/v1/subscriptions", async () => ({
    items: (await listSubscriptions(deps.db)).map(({ destination: _d, ...s }) => s),
  }));
  app.get<{ Params: { id: string } }>("/api/v1/subscriptions/:id", async (req) => {
    const s = await getSubscription(deps.db, req.params.id).catch(() => undefined);
    if (!s) throw notFound();
    const { destination: _d, ...rest } = s;
    return rest;
  });
  app.post("/api/v1/subscriptions", async (req, reply) => {
    const r = subscriptionInputSchema.safeParse(req.body);
    if (!r.success) badRequest(r.error);
    const input = r.data;
    if (!isChannelName(input.channel)) throw new LookoutError("LKT_ERR_VALIDATION", `channel: must be one of slack, email, webhook`, { status: 400 });
    const dest = parseDestination(input.channel, input.destination) as any;
    if (dest.url) {
      try {
        await checkDestination(dest.url, deps.policy);
      } catch (e) {
        throw new LookoutError("LKT_ERR_VALIDATION", `destination.url: ${(e as Error).message}`, { status: 400 });
      }
    }
    const s = await createSubscription(deps.db, deps.box, {
      name: input.name, channel: input.channel, destination: dest, publicDestination: publicView(input.channel, dest), filter: input.filter, cadence: input.cadence,
    });
    const { destination: _d, ...rest } = s;
    return reply.status(201).send(rest);
  });
  app.delete<{ Params: { id: string } }>("/api/v1/subscriptions/:id", async (req, reply) => {
    const ok = await deleteSubscription(deps.db, req.params.id).catch(() => false);
    if (!ok) throw notFound();
    return reply.status(204).send();
  });
  app.post<{ Params: { id: string }; Body: { paused?: boolean } }>("/api/v1/subscriptions/:id/pause", async (req) => {
    const paused = req.body?.paused ?? true;
    if (typeof paused !== "boolean") throw new LookoutError("LKT_ERR_VALIDATION", "paused: must be a boolean", { status: 400 });
    if (!(await getSubscription(deps.db, req.params.id).catch(() => undefined))) throw notFound();
    await setSubscriptionPaused(deps.db, req.params.id, paused, paused ? "paused by operator" : undefined);
    return { id: req.params.id, paused };
  });
  app.get<{ Querystring: { subscriptionId?: string; status?: string; limit?: string } }>("/api/v1/deliveries", async (req) => {
    if (req.query.status && !DELIVERY_STATUSES.includes(req.query.status)) {
      throw new LookoutError("LKT_ERR_VALIDATION", `status: must be one of ${DELIVERY_STATUSES.join(", ")}`, { status: 400 });
    }
    if (req.query.subscriptionId && !/^[0-9a-f-]{36}$/i.test(req.query.subscriptionId)) {
      throw new LookoutError("LKT_ERR_VALIDATION", "subscriptionId: must be a uuid", { status: 400 });
    }
    return { items: await listDeliveries(deps.db, {
      ...(req.query.subscriptionId ? { subscriptionId: req.query.subscriptionId } : {}),
      ...(req.query.status ? { status: req.query.status } : {}),
      limit: Number(req.query.limit ?? 100) || 100,
    }) };
  });
}
