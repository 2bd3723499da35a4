import {
  severityList,
  sortFindings,
  totalFindings,
  type Notification,
  type NotificationImage,
  type NotificationKind,
} from "../notification.js";

/** Standard Webhooks `type` per notification kind (dot-delimited, stable: consumers switch on it). */
export const WEBHOOK_EVENT_TYPES: Record<NotificationKind, string> = {
  "scan.completed": "image.scan.completed",
  "findings.new": "image.vulnerabilities.found",
  "findings.resolved": "image.vulnerabilities.resolved",
  "scan.failed": "image.scan.failed",
  digest: "image.vulnerabilities.digest",
};

/** CloudEvents `type` = reverse-DNS prefix + the Standard Webhooks type. */
export const CLOUDEVENTS_TYPE_PREFIX = "io.lookout.";

/** Bodies stay thin (ids, counts, link): well under 20 KB (§8.3). */
export const MAX_BODY_BYTES = 20 * 1024;

export type WebhookFormat = "standard" | "cloudevents";

function imageData(img: NotificationImage, maxFindings: number) {
  return {
    registry: img.registry,
    repository: img.repository,
    tags: img.tags,
    digest: img.digest,
    ...(img.pushedAt ? { pushedAt: img.pushedAt } : {}),
    ...(img.reportUrl ? { reportUrl: img.reportUrl } : {}),
    severityCounts: Object.fromEntries(severityList(img.severityCounts).map((x) => [x.severity, x.count])),
    findingCount: totalFindings(img),
    findings: sortFindings(img.findings).slice(0, maxFindings),
    ...(img.error ? { error: img.error } : {}),
  };
}

export function webhookData(n: Notification, maxFindings: number) {
  return { notificationId: n.id, kind: n.kind, images: n.images.map((img) => imageData(img, maxFindings)) };
}

function envelope(n: Notification, format: WebhookFormat, source: string, maxFindings: number): object {
  const data = webhookData(n, maxFindings);
  const type = WEBHOOK_EVENT_TYPES[n.kind];
  if (format === "standard") return { type, timestamp: n.occurredAt, data };
  const only = n.images.length === 1 ? n.images[0]! : undefined;
  return {
    specversion: "1.0",
    id: n.id,
    source,
    type: CLOUDEVENTS_TYPE_PREFIX + type,
    ...(only ? { subject: `${only.registry}/${only.repository}@${only.digest}` } : {}),
    time: n.occurredAt,
    datacontenttype: "application/json",
    data,
  };
}

/**
 * The request body, serialised once (the signature covers these exact bytes) and its
 * Content-Type. Finding lists shrink until the body fits MAX_BODY_BYTES; counts stay complete.
 */
export function buildWebhookBody(
  n: Notification,
  format: WebhookFormat,
  opts: { source: string; maxFindingsPerImage: number },
): { contentType: string; body: Buffer } {
  const contentType = format === "standard" ? "application/json" : "application/cloudevents+json; charset=utf-8";
  let body = Buffer.alloc(0);
  for (const max of [opts.maxFindingsPerImage, 5, 0]) {
    body = Buffer.from(JSON.stringify(envelope(n, format, opts.source, Math.min(max, opts.maxFindingsPerImage))));
    if (body.length <= MAX_BODY_BYTES) break;
  }
  return { contentType, body };
}
