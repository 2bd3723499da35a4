import { DIGEST_RE, LookoutError, REPOSITORY_RE, TAG_RE, type PushEvent } from "@lookout/domain";
import type { Flavour, ParsedDelivery, SourceConfig } from "../types.js";
import { repositoryAllowed } from "../match.js";

/**
 * CNCF Distribution (registry 2.8 / 3.x, GitLab's fork). Envelope {"events": [...]}; each event
 * has id, action, target{mediaType, digest, repository, tag?, url?}. Only manifest pushes are
 * scanned; blob events carry application/octet-stream. See shared/reference/registry-webhooks.md §1.
 */

const MANIFEST_TYPES = new Set([
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.v1+prettyjws",
  "application/vnd.docker.distribution.manifest.v1+json",
]);

interface RawEvent {
  id?: unknown;
  timestamp?: unknown;
  action?: unknown;
  target?: { mediaType?: unknown; digest?: unknown; repository?: unknown; tag?: unknown; url?: unknown };
  actor?: { name?: unknown };
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

function urlHost(url: string | undefined): string | undefined {
  if (!url || !/^https?:\/\//i.test(url)) return undefined; // relative URLs name no host
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/** The registry's RFC 3339 timestamp (nanoseconds, any offset) as ISO UTC; now when absent or unreadable. */
function isoTime(s: string | undefined): string {
  const t = s ? Date.parse(s) : NaN;
  return new Date(Number.isNaN(t) ? Date.now() : t).toISOString();
}

function parseOne(e: RawEvent, source: SourceConfig, out: ParsedDelivery): void {
  const eventId = str(e.id);
  const action = str(e.action);
  const t = e.target ?? {};
  if (!eventId) return void out.rejected.push({ reason: "event without id" });
  if (action !== "push" && action !== "delete") return void out.ignored.push({ eventId, reason: `action ${action ?? "(none)"}` });

  const repository = str(t.repository);
  if (!repository || !REPOSITORY_RE.test(repository) || repository.length > 255)
    return void out.rejected.push({ eventId, reason: `repository ${JSON.stringify(repository ?? null)} breaks the OCI name grammar` });
  if (!repositoryAllowed(repository, source.repositories))
    return void out.rejected.push({ eventId, reason: `repository ${repository} is not allowed for source ${source.id}` });
  const host = urlHost(str(t.url));
  const known = [source.host, ...(source.aliases ?? [])].map((h) => h.toLowerCase());
  if (host && !known.includes(host))
    return void out.rejected.push({ eventId, reason: `registry host ${host} is not configured for source ${source.id}` });
  const digest = str(t.digest);
  if (digest && !DIGEST_RE.test(digest)) return void out.rejected.push({ eventId, reason: "digest must be sha256:<64 hex>" });
  const tag = str(t.tag);
  if (tag && !TAG_RE.test(tag)) return void out.rejected.push({ eventId, reason: "tag breaks the OCI tag grammar" });

  const occurredAt = isoTime(str(e.timestamp));
  const actor = str(e.actor?.name);
  if (action === "delete") {
    out.deletes.push({
      sourceId: source.id, eventId, registry: source.host, repository, occurredAt,
      ...(digest ? { digest } : {}), ...(tag ? { tag } : {}), ...(actor ? { actor } : {}),
    });
    return;
  }
  const mediaType = str(t.mediaType);
  if (!mediaType || !MANIFEST_TYPES.has(mediaType)) return void out.ignored.push({ eventId, reason: `blob or non-manifest push (${mediaType ?? "no media type"})` });
  if (!digest) return void out.rejected.push({ eventId, reason: "manifest push without digest" });
  const push: PushEvent = {
    sourceId: source.id,
    eventId,
    registry: source.host,
    repository,
    digest,
    mediaType,
    occurredAt,
    ...(tag ? { tag } : {}),
    ...(actor ? { actor } : {}),
  };
  out.pushes.push(push);
}

export const distribution = {
  id: "distribution",
  contentTypes: ["application/vnd.docker.distribution.events.v1+json", "application/vnd.docker.distribution.events.v2+json", "application/json"],
  parse(body, source) {
    if (typeof body !== "object" || body === null || !Array.isArray((body as { events?: unknown }).events))
      throw new LookoutError("LKT_ERR_WEBHOOK_BODY", "body must be an object with an events array", { status: 400 });
    const events = (body as { events: unknown[] }).events;
    if (events.length > 1000) throw new LookoutError("LKT_ERR_WEBHOOK_BODY", "events: at most 1000 events per request", { status: 400 });
    const out: ParsedDelivery = { pushes: [], deletes: [], ignored: [], rejected: [] };
    for (const e of events) {
      if (typeof e !== "object" || e === null) out.rejected.push({ reason: "event is not an object" });
      else parseOne(e as RawEvent, source, out);
    }
    return out;
  },
} satisfies Flavour;
