import { textArrayLiteral } from "@lookout/advisory-store";
import { rowsOf, schema, type Db } from "@lookout/db";
import type { Finding } from "@lookout/matching";
import { and, eq, inArray, sql } from "drizzle-orm";
import { packageKeyOf as pkgKey } from "./load.js";

const { findings } = schema;
type Row = typeof findings.$inferSelect;
type Insert = typeof findings.$inferInsert;

/** One image's change after a re-match: rows of findings that opened, resolved or were retracted. */
export interface ImageChange {
  imageId: number;
  new: Finding[];
  resolved: Row[];
  /** Resolved because every advisory record behind the finding is now withdrawn. */
  retracted: Row[];
}

const CHUNK = 1000;

function toInsert(imageId: number, scanId: string, f: Finding, firstSeenAt: Date): Insert {
  return {
    imageId, scanId, advisoryId: f.advisoryId, aliases: f.aliases, sources: f.sources, packageName: f.packageName,
    packageVersion: f.installedVersion, ecosystem: f.ecosystem, purl: f.packagePurl, fixedVersions: f.fixedVersions,
    state: f.state, severity: f.severity.level, severitySource: f.severity.source, score: f.severity.score ?? null,
    layerDigest: f.layerDigest ?? null, path: f.path, matchedName: f.matchedName ?? null, matchedVersion: f.matchedVersion ?? null,
    summary: f.summary ?? null, status: "open", firstSeenAt, resolvedAt: null,
  };
}

/** Fields a re-match can change on a finding that stays open. */
const same = (r: Row, f: Finding) =>
  r.advisoryId === f.advisoryId && r.state === f.state && r.severity === f.severity.level && (r.score ?? undefined) === f.severity.score
  && r.fixedVersions.join("\u0000") === f.fixedVersions.join("\u0000") && r.aliases.join("\u0000") === f.aliases.join("\u0000")
  && r.sources.join("\u0000") === f.sources.join("\u0000");

/**
 * Persist the re-match of a batch of images in ONE transaction, limited per image to `scope` (the
 * package identities re-matched, see `affectedPackages`), with the identity rule of
 * @lookout/db `saveScanResults` (same package ecosystem/name/version/path and overlapping id
 * sets): findings not open before are inserted, open ones whose content changed are updated
 * (first_seen_at kept), open ones no longer found are resolved. Unchanged findings cost no write.
 * The stored inventory is left alone (this is not a scan). `beforeCommit` runs inside the
 * transaction (the events are published there: a failed publish rolls the batch back, so the next
 * run finds the same change again; at-least-once, the notifier dedupes what it already sent).
 */
export async function saveRematch(
  db: Db, batch: { imageId: number; scanId: string; findings: Finding[]; scope: ReadonlySet<string> }[],
  beforeCommit?: (changes: ImageChange[]) => Promise<void>,
): Promise<ImageChange[]> {
  if (batch.length === 0) return [];
  return db.transaction(async (tx) => {
    const prev = await tx.select().from(findings)
      .where(and(inArray(findings.imageId, batch.map((b) => b.imageId)), eq(findings.status, "open")));
    const prevByImage = new Map<number, Row[]>();
    for (const r of prev) (prevByImage.get(r.imageId) ?? prevByImage.set(r.imageId, []).get(r.imageId)!).push(r);
    const now = new Date();
    const upserts: Insert[] = [];
    const renamed: number[] = [];
    const goneRows: Row[] = [];
    const changes: ImageChange[] = [];
    for (const b of batch) {
      const byPkg = new Map<string, { row: Row; ids: Set<string>; used: boolean }[]>();
      for (const row of prevByImage.get(b.imageId) ?? []) {
        const k = pkgKey(row.ecosystem, row.packageName, row.packageVersion, row.path);
        if (!b.scope.has(k)) continue; // a package this change cannot touch keeps its findings as they are
        (byPkg.get(k) ?? byPkg.set(k, []).get(k)!).push({ row, ids: new Set([row.advisoryId, ...row.aliases]), used: false });
      }
      const change: ImageChange = { imageId: b.imageId, new: [], resolved: [], retracted: [] };
      const seen = new Set<string>();
      for (const f of b.findings) {
        const k = pkgKey(f.ecosystem, f.packageName, f.installedVersion, f.path);
        if (seen.has(`${k}\u0000${f.advisoryId}`)) continue;
        seen.add(`${k}\u0000${f.advisoryId}`);
        const ids = [f.advisoryId, ...f.aliases];
        const p = byPkg.get(k)?.find((x) => !x.used && ids.some((i) => x.ids.has(i)));
        if (!p) {
          change.new.push(f);
          upserts.push(toInsert(b.imageId, b.scanId, f, now));
          continue;
        }
        p.used = true;
        if (same(p.row, f)) continue;
        if (p.row.advisoryId !== f.advisoryId) renamed.push(p.row.id);
        upserts.push(toInsert(b.imageId, p.row.scanId ?? b.scanId, f, p.row.firstSeenAt));
      }
      for (const x of [...byPkg.values()].flat()) if (!x.used) goneRows.push(x.row);
      changes.push(change);
    }
    if (renamed.length > 0) await tx.delete(findings).where(inArray(findings.id, renamed));
    for (let i = 0; i < upserts.length; i += CHUNK) {
      await tx.insert(findings).values(upserts.slice(i, i + CHUNK)).onConflictDoUpdate({
        target: [findings.imageId, findings.ecosystem, findings.packageName, findings.packageVersion, findings.path, findings.advisoryId],
        set: {
          aliases: sql`excluded.aliases`, sources: sql`excluded.sources`, purl: sql`excluded.purl`,
          fixedVersions: sql`excluded.fixed_versions`, state: sql`excluded.state`, severity: sql`excluded.severity`,
          severitySource: sql`excluded.severity_source`, score: sql`excluded.score`, layerDigest: sql`excluded.layer_digest`,
          matchedName: sql`excluded.matched_name`, matchedVersion: sql`excluded.matched_version`, summary: sql`excluded.summary`,
          status: sql`'open'`, resolvedAt: sql`null`, firstSeenAt: sql`least(${findings.firstSeenAt}, excluded.first_seen_at)`,
        },
      });
    }
    if (goneRows.length > 0) {
      const goneIds = goneRows.map((r) => r.id);
      for (let i = 0; i < goneIds.length; i += CHUNK) {
        await tx.update(findings).set({ status: "resolved", resolvedAt: now }).where(inArray(findings.id, goneIds.slice(i, i + CHUNK)));
      }
      const withdrawn = await withdrawnIds(tx as unknown as Db, [...new Set(goneRows.flatMap((r) => r.sources))]);
      const byId = new Map(changes.map((c) => [c.imageId, c]));
      for (const r of goneRows) {
        const c = byId.get(r.imageId)!;
        const retracted = r.sources.length > 0 && r.sources.every((s) => withdrawn.has(s));
        (retracted ? c.retracted : c.resolved).push(r);
      }
    }
    await beforeCommit?.(changes);
    return changes;
  });
}

async function withdrawnIds(db: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const res = await db.execute(sql`select id from advisories where withdrawn is not null and id = any(${textArrayLiteral(ids)}::text[])`);
  return new Set(rowsOf<{ id: string }>(res).map((r) => r.id));
}
