import { textArrayLiteral, type PackageKey } from "@lookout/advisory-store";
import { rowsOf, schema, type Db } from "@lookout/db";
import { sql } from "drizzle-orm";
import type { NvdAnswer } from "./parse.js";

/**
 * The database side of NVD enrichment. An advisory is enriched when it is not withdrawn, names
 * exactly one CVE (its id or an alias: an advisory covering several CVEs has no single NVD score)
 * and carries no CVSS entry, record-level or per package: a score the advisory has is never
 * overridden. The NVD entry is appended to its severity list, so @lookout/advisories'
 * normaliseSeverity scores it like any feed vector (distro ratings still come first).
 */

// The advisories to enrich and their one CVE, as a CTE body (re-evaluated by each statement).
const CANDIDATES = sql`
  select id, cves[1] as cve from (
    select a.id, (select array_agg(distinct x) from unnest(array_prepend(a.id, a.aliases)) x
                  where x ~ '^CVE-[0-9]{4}-[0-9]{4,}$') as cves
    from advisories a
    where a.withdrawn is null
      and not jsonb_path_exists(coalesce(a.doc, '{}'::jsonb), '$.severity[*] ? (@.type starts with "CVSS_")')
      and not exists (select 1 from affected_ranges r where r.advisory_id = a.id
                      and jsonb_path_exists(coalesce(r.entry, '{}'::jsonb), '$.severity[*] ? (@.type starts with "CVSS_")'))
  ) c where cardinality(cves) = 1`;

/**
 * CVEs to ask NVD about: never asked, or asked and not scored before `recheckBefore`. Those whose
 * advisories name a package some stored image holds come first (they are what findings show).
 */
export async function cvesToAsk(db: Db, limit: number, recheckBefore: Date): Promise<string[]> {
  const res = await db.execute(sql`
    with cand as (${CANDIDATES})
    select c.cve from cand c left join nvd_cves n on n.cve_id = c.cve
    where n.cve_id is null or (n.status <> 'scored' and n.checked_at < ${recheckBefore.toISOString()}::timestamptz)
    group by c.cve
    order by bool_or(exists (select 1 from affected_ranges r join packages p on p.match_name = r.package_name where r.advisory_id = c.id)) desc,
             c.cve desc
    limit ${limit}`);
  return rowsOf<{ cve: string }>(res).map((r) => r.cve);
}

/** Remember what NVD said, so a later run does not ask again (malformed answers are not stored). */
export async function saveAnswer(db: Db, cveId: string, a: NvdAnswer, now: Date): Promise<void> {
  const row = {
    cveId, status: a.kind, checkedAt: now,
    severity: a.kind === "scored" ? a.severity : null,
    nvdLastModified: a.kind !== "not_found" ? (a.lastModified ?? null) : null,
  };
  const { cveId: _id, ...set } = row;
  await db.insert(schema.nvdCves).values(row).onConflictDoUpdate({ target: schema.nvdCves.cveId, set });
}

/**
 * Append the stored NVD entry to every candidate advisory whose CVE is scored, in one transaction;
 * returns how many advisories changed and the package keys to re-match. Also re-applies entries
 * a feed rewrite removed (no request needed: the answer is in nvd_cves).
 */
export async function applyScores(db: Db): Promise<{ advisories: number; keys: PackageKey[] }> {
  return db.transaction(async (tx) => {
    const updated = rowsOf<{ id: string }>(await tx.execute(sql`
      with cand as (${CANDIDATES})
      update advisories a set
        doc = jsonb_set(coalesce(a.doc, '{}'::jsonb), '{severity}', coalesce(a.doc->'severity', '[]'::jsonb) || jsonb_build_array(n.severity)),
        severity = coalesce(a.severity, '[]'::jsonb) || jsonb_build_array(n.severity)
      from cand c join nvd_cves n on n.cve_id = c.cve and n.status = 'scored'
      where a.id = c.id
      returning a.id`));
    if (updated.length === 0) return { advisories: 0, keys: [] };
    const keys = rowsOf<{ ecosystem: string; package_name: string }>(await tx.execute(sql`
      select distinct ecosystem, package_name from affected_ranges
      where advisory_id = any(${textArrayLiteral(updated.map((u) => u.id))}::text[])`));
    return { advisories: updated.length, keys: keys.map((k) => ({ ecosystem: k.ecosystem, name: k.package_name })) };
  });
}
