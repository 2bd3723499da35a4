import { DIGEST_RE, LookoutError } from "@lookout/domain";
import { getImage, getImageByDigest, getScan, listImages, listScans, type Db, type SecretBox } from "@lookout/db";
import type { DestinationPolicy } from "@lookout/channels";
import { secretsEqual } from "@lookout/registry-events";
import { createHttp, type Metrics, type ReadinessCheck } from "@lookout/service-kit";
import type { Logger } from "@lookout/log";
import { subscriptionRoutes } from "./subscriptions.js";

export interface ApiDeps {
  db: Db;
  box: SecretBox;
  log: Logger;
  metrics: Metrics;
  readiness: ReadinessCheck[];
  apiToken: string;
  policy: DestinationPolicy;
}

const int = (v: unknown, d: number) => (typeof v === "string" && /^\d{1,6}$/.test(v) ? Number(v) : d);
const DELETED = ["exclude", "include", "only"] as const;
function deletedFilter(v: string | undefined): (typeof DELETED)[number] {
  if (v === undefined) return "exclude";
  if ((DELETED as readonly string[]).includes(v)) return v as (typeof DELETED)[number];
  throw new LookoutError("LKT_ERR_VALIDATION", `deleted: "${v.slice(0, 20)}" must be one of ${DELETED.join(", ")}`, { status: 400 });
}

/** Read and management API: JSON, every /api route behind the bearer token. */
export function buildApiApp(deps: ApiDeps) {
  const app = createHttp({ logger: deps.log, metrics: deps.metrics, readiness: deps.readiness });
  app.addHook("onRequest", async (req, reply) => {
    if (!req.url.startsWith("/api/")) return;
    const h = req.headers.authorization;
    const token = h?.startsWith("Bearer ") ? h.slice(7).trim() : undefined;
    if (!secretsEqual(token, deps.apiToken)) {
      return reply.status(401).send({ error: { code: "LKT_ERR_WEBHOOK_AUTH", message: "missing or bad API token" } });
    }
  });
  app.get<{ Querystring: Record<string, string> }>("/api/v1/images", async (req) => ({
    items: await listImages(deps.db, {
      ...(req.query.repository ? { repository: req.query.repository } : {}), limit: int(req.query.limit, 100), offset: int(req.query.offset, 0),
      deleted: deletedFilter(req.query.deleted),
    }),
  }));
  // :id is the numeric id or a manifest digest (the notifier's report links use the digest).
  app.get<{ Params: { id: string }; Querystring: { repository?: string } }>("/api/v1/images/:id", async (req) => {
    const id = req.params.id;
    const img = /^\d{1,15}$/.test(id) ? await getImage(deps.db, Number(id))
      : DIGEST_RE.test(id) ? await getImageByDigest(deps.db, id, req.query.repository) : undefined;
    if (!img) throw new LookoutError("LKT_ERR_NOT_FOUND", "image not found", { status: 404 });
    return img;
  });
  app.get<{ Querystring: Record<string, string> }>("/api/v1/scans", async (req) => ({
    items: await listScans(deps.db, { ...(req.query.imageId && /^\d+$/.test(req.query.imageId) ? { imageId: Number(req.query.imageId) } : {}), limit: int(req.query.limit, 100), offset: int(req.query.offset, 0) }),
  }));
  app.get<{ Params: { id: string } }>("/api/v1/scans/:id", async (req) => {
    const s = /^[0-9a-f-]{36}$/.test(req.params.id) ? await getScan(deps.db, req.params.id) : undefined;
    if (!s) throw new LookoutError("LKT_ERR_NOT_FOUND", "scan not found", { status: 404 });
    const { sbom: _sbom, ...rest } = s;
    return rest;
  });
  app.get<{ Params: { id: string } }>("/api/v1/scans/:id/sbom", async (req) => {
    const s = /^[0-9a-f-]{36}$/.test(req.params.id) ? await getScan(deps.db, req.params.id) : undefined;
    if (!s?.sbom) throw new LookoutError("LKT_ERR_NOT_FOUND", "scan or SBOM not found", { status: 404 });
    return s.sbom;
  });
  subscriptionRoutes(app, deps);
  return app;
}
