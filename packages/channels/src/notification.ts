import { createHash } from "node:crypto";
import { z } from "zod";
import { SEVERITIES, SEVERITY_RANK, type Severity } from "@lookout/domain";

/**
 * The message a subscriber receives, built by the notifier from bus events. Every string that
 * came from a push or an image (repository, tag, package names, versions, advisory ids, URLs)
 * is untrusted: renderers escape them and cap their length.
 */

/** What happened. A `digest` groups several images collected over the subscription's cadence. */
export const NOTIFICATION_KINDS = ["scan.completed", "findings.new", "findings.resolved", "scan.failed", "digest"] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Ids appear in Message-ID, `webhook-id` and CloudEvents `id`: no dots, no `@`, no spaces. */
export const NOTIFICATION_ID_RE = /^[A-Za-z0-9_-]{1,128}$/;

const str = (max: number) => z.string().max(max);

export const notificationFindingSchema = z.object({
  advisoryId: str(200).min(1),
  url: str(2000).optional(),
  packageName: str(500),
  installedVersion: str(300),
  fixedVersion: str(300).optional(),
  severity: z.enum(SEVERITIES),
});
export type NotificationFinding = z.infer<typeof notificationFindingSchema>;

export const notificationImageSchema = z.object({
  registry: str(255).min(1),
  repository: str(255).min(1),
  tags: z.array(str(128)).max(100),
  digest: str(200).min(1),
  pushedAt: z.string().optional(),
  /** Link to the full report in the api service. */
  reportUrl: str(2000).optional(),
  severityCounts: z.partialRecord(z.enum(SEVERITIES), z.number().int().nonnegative()),
  /** Most important first is not required: renderers sort by severity. May be a prefix of all findings. */
  findings: z.array(notificationFindingSchema).max(1000),
  /** Total number of findings when `findings` is a truncated list; defaults to findings.length. */
  findingCount: z.number().int().nonnegative().optional(),
  /** For scan.failed: why. */
  error: str(2000).optional(),
});
export type NotificationImage = z.infer<typeof notificationImageSchema>;

export const notificationSchema = z.object({
  id: z.string().regex(NOTIFICATION_ID_RE, "must be 1-128 of [A-Za-z0-9_-]"),
  kind: z.enum(NOTIFICATION_KINDS),
  occurredAt: z.string().datetime({ offset: true }),
  images: z.array(notificationImageSchema).min(1).max(500),
});
export type Notification = z.infer<typeof notificationSchema>;

/** Undefined when `n` satisfies the schema, else a one-line reason naming the first bad field. */
export function checkNotification(n: unknown): string | undefined {
  const r = notificationSchema.safeParse(n);
  if (r.success) return undefined;
  const issue = r.error.issues[0];
  return `notification invalid: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`;
}

/**
 * The stable id of the notification for one (subscription, event) pair: the idempotency key
 * every channel sends (webhook-id, Message-ID), so a retried delivery is recognisable.
 */
export function notificationIdFor(subscriptionId: string, eventId: string): string {
  const h = createHash("sha256").update(subscriptionId).update("\n").update(eventId).digest("base64url");
  return `ntf_${h.slice(0, 32)}`;
}

/** Most severe first; ties broken by advisory id so output is deterministic. */
export function sortFindings(findings: readonly NotificationFinding[]): NotificationFinding[] {
  return [...findings].sort(
    (a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.advisoryId.localeCompare(b.advisoryId),
  );
}

/** Non-zero severity counts, most severe first. */
export function severityList(counts: NotificationImage["severityCounts"]): { severity: Severity; count: number }[] {
  return SEVERITIES.flatMap((s) => (counts[s] ? [{ severity: s, count: counts[s] }] : []));
}

export function totalFindings(img: NotificationImage): number {
  const fromCounts = Object.values(img.severityCounts).reduce<number>((a, b) => a + (b ?? 0), 0);
  return img.findingCount ?? Math.max(fromCounts, img.findings.length);
}

/** `repo:tag` (first tag) or `repo@sha256:0123456789ab` when untagged. */
export function imageLabel(img: NotificationImage): string {
  const tag = img.tags[0];
  return tag ? `${img.repository}:${tag}` : `${img.repository}@${shortDigest(img.digest)}`;
}

export function shortDigest(digest: string): string {
  const [alg, hex] = digest.split(":", 2);
  return hex ? `${alg}:${hex.slice(0, 12)}` : digest.slice(0, 19);
}

/** A human title for the notification kind. */
export const KIND_TITLES: Record<NotificationKind, string> = {
  "scan.completed": "Scan completed",
  "findings.new": "New vulnerabilities",
  "findings.resolved": "Vulnerabilities resolved",
  "scan.failed": "Scan failed",
  digest: "Vulnerability digest",
};
