import { SEVERITIES, SEVERITY_RANK, type Envelope, type FindingsChanged, type ScanCompleted, type Severity } from "@lookout/domain";
import { claimUnsentFindings, type Db, type Subscription } from "@lookout/db";
import { notificationIdFor, type Notification, type NotificationFinding, type NotificationImage } from "@lookout/channels";
import { repositoryAllowed } from "@lookout/registry-events";

export type BusEvent =
  | { subject: "scanCompleted"; env: Envelope<ScanCompleted> }
  | { subject: "findingsChanged"; env: Envelope<FindingsChanged> };

export function kindOf(e: BusEvent): Notification["kind"] {
  if (e.subject === "scanCompleted") return e.env.data.status === "failed" ? "scan.failed" : "scan.completed";
  return e.env.data.kind === "new" ? "findings.new" : "findings.resolved";
}

const atLeast = (s: Severity, min: string) => SEVERITY_RANK[s] >= (SEVERITY_RANK[min as Severity] ?? 0);

function findingsOf(e: BusEvent): NotificationFinding[] {
  const raw = e.subject === "scanCompleted" ? e.env.data.topFindings : e.env.data.findings;
  return raw.map((x) => ({
    advisoryId: x.advisoryId, packageName: x.packageName, installedVersion: x.installedVersion, severity: x.severity,
    ...(x.fixedVersion ? { fixedVersion: x.fixedVersion } : {}),
    ...("url" in x && typeof x.url === "string" ? { url: x.url } : {}),
  }));
}

/**
 * The notification one subscription gets for one event, or undefined when its filter drops it.
 *
 * - `kinds` (empty = all) and repository globs (empty = all) select events.
 * - `minSeverity` and `onlyFixable` select findings; an event with findings left is dropped
 *   (a failed scan is always told). Without `onlyFixable`/`onlyNew`, a completed scan's counts
 *   come from its full severity counts (restricted to `minSeverity`), not only its top findings.
 * - `onlyNew`: findings already told to this subscription for this image digest are dropped
 *   and the rest remembered as told, in one statement. Pass a transaction as `db` so that the
 *   claim is undone when the caller fails to enqueue what it built.
 */
export async function buildNotification(db: Db, sub: Subscription, e: BusEvent, opts: { publicUrl?: string | undefined }): Promise<Notification | undefined> {
  const kind = kindOf(e);
  const f = sub.filter;
  if (f.kinds.length && !f.kinds.includes(kind)) return undefined;
  const image = e.env.data.image;
  if (!repositoryAllowed(image.repository, f.repositories)) return undefined;
  let findings = findingsOf(e).filter((x) => atLeast(x.severity, f.minSeverity) && (!f.onlyFixable || x.fixedVersion));
  if (f.onlyNew && (kind === "scan.completed" || kind === "findings.new") && findings.length) {
    const fresh = await claimUnsentFindings(db, sub.id, image.digest, findings);
    findings = findings.filter((x) => fresh.has(`${x.advisoryId}\u0000${x.packageName}`));
  }
  let counts: Partial<Record<Severity, number>> = {};
  let findingCount: number | undefined;
  if (e.subject === "scanCompleted" && !f.onlyFixable && !f.onlyNew) {
    // Full counts from the scan, not just its top findings.
    for (const s of SEVERITIES) {
      const n = e.env.data.severityCounts[s] ?? 0;
      if (n && atLeast(s, f.minSeverity)) counts[s] = n;
    }
    findingCount = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
  } else {
    counts = {};
    for (const x of findings) counts[x.severity] = (counts[x.severity] ?? 0) + 1;
  }
  const filtering = f.minSeverity !== "unknown" || f.onlyFixable || f.onlyNew;
  const nothingLeft = findingCount !== undefined ? findingCount === 0 : findings.length === 0;
  if (kind !== "scan.failed" && nothingLeft && (filtering || kind !== "scan.completed")) return undefined;

  const img: NotificationImage = {
    registry: image.registry,
    repository: image.repository,
    tags: image.tag ? [image.tag] : [],
    digest: image.digest,
    severityCounts: counts,
    findings,
    ...(findingCount !== undefined ? { findingCount } : {}),
    ...(e.subject === "scanCompleted" && e.env.data.error ? { error: e.env.data.error.slice(0, 2000) } : {}),
    ...(e.subject === "findingsChanged" && e.env.data.imagePushedAt ? { pushedAt: e.env.data.imagePushedAt } : {}),
    ...(opts.publicUrl ? { reportUrl: `${opts.publicUrl.replace(/\/$/, "")}/api/v1/images/${encodeURIComponent(image.digest)}?repository=${encodeURIComponent(image.repository)}` } : {}),
  };
  return { id: notificationIdFor(sub.id, e.env.id), kind, occurredAt: e.env.time, images: [img] };
}
