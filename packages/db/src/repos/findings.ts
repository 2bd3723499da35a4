import { and, eq, inArray, sql } from "drizzle-orm";
import type { FixState, Package, Severity } from "@lookout/domain";
import type { Db } from "../client.js";
import { findings } from "../schema.js";
import { replacePackages } from "./inventory.js";

/**
 * The fields of a finding the store keeps; @lookout/matching's `Finding` satisfies it (kept
 * structural so this adapter does not depend on the matcher).
 */
export interface FindingRecord {
  advisoryId: string;
  aliases: string[];
  sources: string[];
  packageName: string;
  packagePurl: string;
  installedVersion: string;
  matchedName?: string;
  matchedVersion?: string;
  fixedVersions: string[];
  state: FixState;
  severity: { level: Severity; source: string; score?: number };
  layerDigest?: string;
  path: string;
  ecosystem: string;
  summary?: string;
}

export interface SavedDiff<F extends FindingRecord> {
  /** Findings of this scan not open before. */
  new: F[];
  /** Findings of this scan that were open before (same package, overlapping ids). */
  still: F[];
  /** Findings open before and absent now: marked resolved (rebuilt from their rows). */
  resolved: FindingRecord[];
}

const CHUNK = 1000; // rows per INSERT (about 20 columns each)
const pkgKey = (f: { ecosystem: string; packageName: string; installedVersion: string; path: string }) =>
  [f.ecosystem, f.packageName, f.installedVersion, f.path].join("\u0000");

type Row = typeof findings.$inferSelect;

function toRecord(r: Row): FindingRecord {
  const f: FindingRecord = {
    advisoryId: r.advisoryId, aliases: r.aliases, sources: r.sources, packageName: r.packageName, packagePurl: r.purl ?? "",
    installedVersion: r.packageVersion, fixedVersions: r.fixedVersions, state: r.state as FixState,
    severity: { level: r.severity as Severity, source: r.severitySource ?? "none", ...(r.score !== null ? { score: r.score } : {}) },
    path: r.path, ecosystem: r.ecosystem,
  };
  if (r.matchedName !== null) f.matchedName = r.matchedName;
  if (r.matchedVersion !== null) f.matchedVersion = r.matchedVersion;
  if (r.layerDigest !== null) f.layerDigest = r.layerDigest;
  if (r.summary !== null) f.summary = r.summary;
  return f;
}

/**
 * Persist one successful scan of an image, in one transaction: the image's packages are replaced
 * (batched inserts), this scan's findings are upserted as open, and the image's open findings
 * that are gone are marked resolved. A finding is the same across scans when package
 * (ecosystem, name, installed version, path) is equal and the id sets ({advisoryId} ∪ aliases)
 * overlap (the @lookout/matching `diffFindings` rule): a GHSA finding that gains its CVE keeps
 * its first_seen_at under the new primary id. Returns the diff against the previous open set.
 */
export async function saveScanResults<F extends FindingRecord>(
  db: Db,
  s: { imageId: number; scanId: string; inventory: { packages: readonly Package[] }; findings: readonly F[] },
): Promise<SavedDiff<F>> {
  return db.transaction(async (tx) => {
    await replacePackages(tx as unknown as Db, s.imageId, s.scanId, s.inventory.packages);
    const prev = await tx.select().from(findings).where(and(eq(findings.imageId, s.imageId), eq(findings.status, "open")));
    const byPkg = new Map<string, { row: Row; ids: Set<string>; used: boolean }[]>();
    for (const row of prev) {
      const k = pkgKey({ ...row, installedVersion: row.packageVersion });
      const list = byPkg.get(k) ?? [];
      list.push({ row, ids: new Set([row.advisoryId, ...row.aliases]), used: false });
      byPkg.set(k, list);
    }
    const out: SavedDiff<F> = { new: [], still: [], resolved: [] };
    const now = new Date();
    const values = new Map<string, typeof findings.$inferInsert>();
    const renamed: number[] = [];
    for (const f of s.findings) {
      const ids = [f.advisoryId, ...f.aliases];
      const p = byPkg.get(pkgKey(f))?.find((x) => !x.used && ids.some((i) => x.ids.has(i)));
      if (p) {
        p.used = true;
        out.still.push(f);
        if (p.row.advisoryId !== f.advisoryId) renamed.push(p.row.id);
      } else {
        out.new.push(f);
      }
      values.set(`${pkgKey(f)}\u0000${f.advisoryId}`, {
        imageId: s.imageId, scanId: s.scanId, advisoryId: f.advisoryId, aliases: f.aliases, sources: f.sources,
        packageName: f.packageName, packageVersion: f.installedVersion, ecosystem: f.ecosystem, purl: f.packagePurl,
        fixedVersions: f.fixedVersions, state: f.state, severity: f.severity.level, severitySource: f.severity.source,
        score: f.severity.score ?? null, layerDigest: f.layerDigest ?? null, path: f.path,
        matchedName: f.matchedName ?? null, matchedVersion: f.matchedVersion ?? null, summary: f.summary ?? null,
        status: "open", firstSeenAt: p ? p.row.firstSeenAt : now, resolvedAt: null,
      });
    }
    if (renamed.length > 0) await tx.delete(findings).where(inArray(findings.id, renamed));
    const rows = [...values.values()];
    for (let i = 0; i < rows.length; i += CHUNK) {
      await tx.insert(findings).values(rows.slice(i, i + CHUNK)).onConflictDoUpdate({
        target: [findings.imageId, findings.ecosystem, findings.packageName, findings.packageVersion, findings.path, findings.advisoryId],
        set: {
          scanId: sql`excluded.scan_id`, aliases: sql`excluded.aliases`, sources: sql`excluded.sources`, purl: sql`excluded.purl`,
          fixedVersions: sql`excluded.fixed_versions`, state: sql`excluded.state`, severity: sql`excluded.severity`,
          severitySource: sql`excluded.severity_source`, score: sql`excluded.score`, layerDigest: sql`excluded.layer_digest`,
          matchedName: sql`excluded.matched_name`, matchedVersion: sql`excluded.matched_version`, summary: sql`excluded.summary`,
          status: sql`'open'`, resolvedAt: sql`null`, firstSeenAt: sql`least(${findings.firstSeenAt}, excluded.first_seen_at)`,
        },
      });
    }
    const gone = [...byPkg.values()].flat().filter((x) => !x.used);
    if (gone.length > 0) {
      await tx.update(findings).set({ status: "resolved", resolvedAt: now }).where(inArray(findings.id, gone.map((x) => x.row.id)));
      out.resolved = gone.map((x) => toRecord(x.row));
    }
    return out;
  });
}

/** An image's findings (open by default), most severe first. */
export async function listFindings(db: Db, imageId: number, opts: { status?: "open" | "resolved" } = {}): Promise<(FindingRecord & { status: string; firstSeenAt: Date; resolvedAt: Date | null })[]> {
  const rows = await db.select().from(findings)
    .where(and(eq(findings.imageId, imageId), eq(findings.status, opts.status ?? "open")))
    .orderBy(
      sql`case ${findings.severity} when 'critical' then 5 when 'high' then 4 when 'medium' then 3 when 'low' then 2 when 'negligible' then 1 else 0 end desc`,
      sql`coalesce(${findings.score}, -1) desc`, findings.advisoryId, findings.packageName,
    );
  return rows.map((r) => ({ ...toRecord(r), status: r.status, firstSeenAt: r.firstSeenAt, resolvedAt: r.resolvedAt }));
}
