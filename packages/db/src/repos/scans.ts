import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../client.js";
import { images, repositories, scans } from "../schema.js";

export async function startScan(db: Db, s: { imageId: number; reason: string; jobId?: string | undefined; correlationId?: string }): Promise<string> {
  // A scan left "running" by a worker that died is closed when its job is taken up again.
  if (s.jobId) {
    await db.update(scans).set({ status: "failed", error: "worker lost; job taken over by another attempt", finishedAt: new Date() })
      .where(and(eq(scans.jobId, s.jobId), eq(scans.imageId, s.imageId), eq(scans.status, "running")));
  }
  const [row] = await db
    .insert(scans)
    .values({ imageId: s.imageId, status: "running", reason: s.reason, jobId: s.jobId, correlationId: s.correlationId })
    .returning({ id: scans.id });
  return row!.id;
}

export interface ScanOutcome {
  status: "succeeded" | "failed";
  error?: string | undefined;
  durationMs: number;
  packageCount?: number;
  findingCount?: number;
  severityCounts?: Record<string, number>;
  distro?: unknown;
  unknowns?: { path: string; reason: string; layerDigest?: string }[];
  sbom?: unknown;
}

export async function finishScan(db: Db, scanId: string, o: ScanOutcome): Promise<void> {
  await db
    .update(scans)
    .set({
      status: o.status,
      error: o.error ?? null,
      finishedAt: new Date(),
      durationMs: Math.round(o.durationMs),
      packageCount: o.packageCount ?? 0,
      findingCount: o.findingCount ?? 0,
      severityCounts: o.severityCounts ?? {},
      distro: o.distro ?? null,
      unknowns: o.unknowns ?? [],
      sbom: o.sbom ?? null,
    })
    .where(eq(scans.id, scanId));
}

export async function listScans(db: Db, opts: { imageId?: number; limit?: number; offset?: number } = {}) {
  return db
    .select({
      id: scans.id,
      imageId: scans.imageId,
      registry: repositories.registryHost,
      repository: repositories.name,
      digest: images.digest,
      status: scans.status,
      reason: scans.reason,
      correlationId: scans.correlationId,
      startedAt: scans.startedAt,
      finishedAt: scans.finishedAt,
      durationMs: scans.durationMs,
      error: scans.error,
      packageCount: scans.packageCount,
      findingCount: scans.findingCount,
      severityCounts: scans.severityCounts,
    })
    .from(scans)
    .innerJoin(images, eq(scans.imageId, images.id))
    .innerJoin(repositories, eq(images.repositoryId, repositories.id))
    .where(opts.imageId ? eq(scans.imageId, opts.imageId) : undefined)
    .orderBy(desc(scans.startedAt))
    .limit(Math.min(opts.limit ?? 100, 1000))
    .offset(opts.offset ?? 0);
}

export async function getScan(db: Db, id: string) {
  const [row] = await db.select().from(scans).where(eq(scans.id, id));
  return row;
}
