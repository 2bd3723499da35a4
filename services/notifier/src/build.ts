import { SEVERITY_RANK, type Envelope, type FindingsChanged, type ScanCompleted, type Severity } from "@lookout/domain";
import { claimUnsentFindings, type Db, type Subscription } from "@lookout/db";
import { notificationIdFor, type Notification, type NotificationFinding } from "@lookout/channels";
import { repositoryAllowed } from "@lookout/registry-events";

export type BusEvent =
  | { subject: "scanCompleted"; env: Envelope<ScanCompleted> }
  | { subject: "findingsChanged"; env: Envelope<FindingsChanged> };

export function kindOf(e: BusEvent): Notification["kind"] {
  if (e.subject === "scanCompleted") return e.env.data.status === "failed" ? "scan.failed" : "scan.completed";
  return e.env.data.kind === "new" ? "findings.new" : "findings.resolved";
}

const atLeast = (s: Severity, min: string) => SEVERITY_RANK[s] >= (SEVERITY_RANK[min as Severity] ?? 0);

/**
 * The notification one subscription gets for one event, or undefined when its filter drops it.
 * With `onlyNew`, findings already told to this subscription for this image are dropped and the
 * rest are remembered as told in the same statement.
 */
export async function buildNotification(db: Db, sub: Subscription, e: BusEvent, opts: { publicUrl?: string | undefined }): Promise<Notification | undefined> {
  const kind = kindOf(e);
  const f = sub.filter;
  if (f.kinds.length && !f.kinds.includes(kind)) return undefined;
  const image = e.env.data.image;
  if (!repositoryAllowed(image.repository, f.repositories)) return undefined;
  let findings: NotificationFinding[] = (e.subject === "scanCompleted" ? e.env.data.topFindings : e.env.data.findings).map((x) => ({
    advisoryId: x.advisoryId, packageName: x.packageName, installedVersion: x.installedVersion, severity: x.severity,
    ...(x.fixedVersion ? { fixedVersion: x.fixedVersion } : {}),
    ...(typeof (x as { url?: unknown }).url === "string" ? { url: (x as unknown as { url: string }).url } : {}),
  }));
  findings = findings.filter((x) => atLeast(x.severity, f.minSeverity) && (!f.onlyFixable || x.fixedVersion));
  const filtering = f.minSeverity !== "unknown" || f.onlyFixable;
  if (f.onlyNew && kind !== "scan.failed" && kind !== "findings.resolved") {
    const fresh = await claimUnsentFindings(db, sub.id, image.digest, findings);
    findings = findings.filter((x) => fresh.has(`${x.advisoryId}\u0000${x.packageName}`));
    if (findings.length === 0) return undefined;
  } else if (filtering && findings.length === 0 && kind !== "scan.failed") return undefined;

  const counts: Partial<Record<Severity, number>> = {};
  if (e.subject === "scanCompleted" && !filtering && !f.onlyNew) Object.assign(counts, e.env.data.severityCounts);
  else for (const x of findings) counts[x.severity] = (counts[x.severity] ?? 0) + 1;
  return {
    id: notificationIdFor(sub.id, e.env.id),
    kind,
    occurredAt: e.env.time,
    images: [{
      registry: image.registry,
      repository: image.repository,
      tags: image.tag ? [image.tag] : [],
      digest: image.digest,
      severityCounts: counts,
      findings,
      ...(e.subject === "scanCompleted" && !filtering && !f.onlyNew ? { findingCount: e.env.data.findingCount } : {}),
      ...(e.subject === "scanCompleted" && e.env.data.error ? { error: e.env.data.error.slice(0, 2000) } : {}),
      ...(e.subject === "findingsChanged" && e.env.data.imagePushedAt ? { pushedAt: e.env.data.imagePushedAt } : {}),
      ...(opts.publicUrl ? { reportUrl: `${opts.publicUrl.replace(/\/$/, "")}/api/v1/images/${encodeURIComponent(image.digest)}?repository=${encodeURIComponent(image.repository)}` } : {}),
    }],
  };
}
