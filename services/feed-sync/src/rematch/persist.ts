import { nullableTextArrayLiteral, textArrayLiteral } from "@lookout/advisory-store";
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
    for (let i = 0; i < upserts.length; i += CHUNK) await tx.execute(upsertFindings(upserts.slice(i, i + CHUNK)));
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

const lit = textArrayLiteral;
const nlit = nullableTextArrayLiteral;

/**
 * Insert-or-update findings through unnest of one array parameter per column: the query builder's
 * multi-row VALUES (one bind parameter per value) cost more CPU than Postgres spent on the rows.
 */
function upsertFindings(rows: Insert[]) {
  const col = <T>(f: (r: Insert) => T) => rows.map(f);
  return sql`
    insert into findings (image_id, scan_id, advisory_id, aliases, sources, package_name, package_version, ecosystem, purl,
      fixed_versions, state, severity, severity_source, score, layer_digest, path, matched_name, matched_version, summary,
      status, first_seen_at, resolved_at)
    select r.image_id, r.scan_id, r.advisory_id, r.aliases::text[], r.sources::text[], r.package_name, r.package_version, r.ecosystem, r.purl,
      r.fixed_versions::text[], r.state, r.severity, r.severity_source, r.score, r.layer_digest, r.path, r.matched_name, r.matched_version, r.summary,
      'open', r.first_seen_at, null
    from unnest(${lit(col((r) => String(r.imageId)))}::bigint[], ${nlit(col((r) => r.scanId ?? null))}::uuid[], ${lit(col((r) => r.advisoryId))}::text[],
      ${lit(col((r) => lit(r.aliases ?? [])))}::text[], ${lit(col((r) => lit(r.sources ?? [])))}::text[], ${lit(col((r) => r.packageName))}::text[],
      ${lit(col((r) => r.packageVersion))}::text[], ${lit(col((r) => r.ecosystem))}::text[], ${nlit(col((r) => r.purl ?? null))}::text[],
      ${lit(col((r) => lit(r.fixedVersions ?? [])))}::text[], ${lit(col((r) => r.state))}::text[], ${lit(col((r) => r.severity))}::text[],
      ${nlit(col((r) => r.severitySource ?? null))}::text[], ${nlit(col((r) => (r.score == null ? null : String(r.score))))}::real[],
      ${nlit(col((r) => r.layerDigest ?? null))}::text[], ${lit(col((r) => r.path ?? ""))}::text[], ${nlit(col((r) => r.matchedName ?? null))}::text[],
      ${nlit(col((r) => r.matchedVersion ?? null))}::text[], ${nlit(col((r) => r.summary ?? null))}::text[],
      ${lit(col((r) => (r.firstSeenAt instanceof Date ? r.firstSeenAt : new Date()).toISOString()))}::timestamptz[])
      as r(image_id, scan_id, advisory_id, aliases, sources, package_name, package_version, ecosystem, purl, fixed_versions, state,
        severity, severity_source, score, layer_digest, path, matched_name, matched_version, summary, first_seen_at)
    on conflict (image_id, ecosystem, package_name, package_version, path, advisory_id) do update set
      aliases = excluded.aliases, sources = excluded.sources, purl = excluded.purl, fixed_versions = excluded.fixed_versions,
      state = excluded.state, severity = excluded.severity, severity_source = excluded.severity_source, score = excluded.score,
      layer_digest = excluded.layer_digest, matched_name = excluded.matched_name, matched_version = excluded.matched_version,
      summary = excluded.summary, status = 'open', resolved_at = null,
      first_seen_at = least(findings.first_seen_at, excluded.first_seen_at)`;
}

async function withdrawnIds(db: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const res = await db.execute(sql`select id from advisories where withdrawn is not null and id = any(${textArrayLiteral(ids)}::text[])`);
  return new Set(rowsOf<{ id: string }>(res).map((r) => r.id));
}
