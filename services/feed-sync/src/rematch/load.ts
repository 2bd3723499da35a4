import { inventoryKeys, keyOf, textArrayLiteral, type PackageKey } from "@lookout/advisory-store";
import { packageFromRow, rowsOf, schema, type Db } from "@lookout/db";
import type { Distro, ImageTarget, Package } from "@lookout/domain";
import { and, inArray, sql } from "drizzle-orm";

/**
 * Live images (not deleted) whose stored inventory names one of `keys`, in ONE query. The query
 * is a superset (names compared case- and PEP 503-insensitively, any ecosystem); the caller keeps
 * only images whose `inventoryKeys` really intersect `keys` (see `StoredImage.keys`).
 */
export async function candidateImages(db: Db, keys: readonly PackageKey[]): Promise<number[]> {
  if (keys.length === 0) return [];
  const names = textArrayLiteral([...new Set(keys.map((k) => k.name.toLowerCase()))]);
  // `in (select …)` is a hashed subplan; `= any(array parameter)` would scan the array per row.
  const res = await db.execute(sql`
    with k as (select unnest(${names}::text[]) as name)
    select distinct p.image_id from packages p join images i on i.id = p.image_id
    where i.deleted_at is null and (
      lower(p.name) in (select name from k) or lower(p.source_name) in (select name from k)
      or regexp_replace(lower(p.name), '[-_.]+', '-', 'g') in (select name from k))
    order by p.image_id`);
  return rowsOf<{ image_id: string | number }>(res).map((r) => Number(r.image_id));
}

/** An image's stored inventory and what an event about it needs. */
export interface StoredImage {
  imageId: number;
  scanId: string;
  target: ImageTarget;
  pushedAt: Date;
  inventory: { distro?: Distro; packages: Package[] };
}

const toPackage = packageFromRow;

/**
 * Inventories of a batch of images in three queries (packages, their scans' distro, image +
 * repository + newest tag), mapped as @lookout/db `loadPackages` maps them. With `onlyNames`, only
 * the packages that may carry one of those names are loaded (a partial inventory: enough to
 * re-match the packages a change names, not a whole image).
 */
export async function loadImages(db: Db, ids: readonly number[], onlyNames?: readonly string[]): Promise<StoredImage[]> {
  if (ids.length === 0) return [];
  const p = schema.packages;
  const names = onlyNames ? textArrayLiteral([...new Set(onlyNames.map((n) => n.toLowerCase()))]) : undefined;
  // With `onlyNames`, the same superset test as `candidateImages`: only packages that can name a changed key.
  const byName = names
    ? sql`(lower(${p.name}) in (select unnest(${names}::text[])) or lower(${p.sourceName}) in (select unnest(${names}::text[]))
        or regexp_replace(lower(${p.name}), '[-_.]+', '-', 'g') in (select unnest(${names}::text[])))`
    : undefined;
  const rows = await db.select().from(p).where(byName ? and(inArray(p.imageId, [...ids]), byName) : inArray(p.imageId, [...ids])).orderBy(p.id);
  const byImage = new Map<number, { scanId: string; packages: Package[] }>();
  for (const r of rows) {
    const e = byImage.get(r.imageId) ?? { scanId: r.scanId, packages: [] };
    e.packages.push(toPackage(r));
    byImage.set(r.imageId, e);
  }
  const scanIds = [...new Set([...byImage.values()].map((e) => e.scanId))];
  const distros = new Map((await db.select({ id: schema.scans.id, distro: schema.scans.distro }).from(schema.scans)
    .where(inArray(schema.scans.id, scanIds))).map((s) => [s.id, s.distro as Distro | null]));
  const meta = rowsOf<{ id: string | number; digest: string; media_type: string | null; last_pushed_at: string | Date; host: string; repo: string; tag: string | null }>(
    await db.execute(sql`
      select i.id, i.digest, i.media_type, i.last_pushed_at, r.registry_host as host, r.name as repo,
        (select t.name from tags t where t.image_id = i.id order by t.updated_at desc limit 1) as tag
      from images i join repositories r on r.id = i.repository_id
      where i.id = any(${textArrayLiteral(ids.map(String))}::bigint[])`),
  );
  const out: StoredImage[] = [];
  for (const m of meta) {
    const id = Number(m.id);
    const inv = byImage.get(id);
    if (!inv) continue;
    const distro = distros.get(inv.scanId);
    out.push({
      imageId: id,
      scanId: inv.scanId,
      pushedAt: new Date(m.last_pushed_at),
      target: { registry: m.host, repository: m.repo, digest: m.digest, ...(m.tag ? { tag: m.tag } : {}), ...(m.media_type ? { mediaType: m.media_type } : {}) },
      inventory: { ...(distro ? { distro } : {}), packages: inv.packages },
    });
  }
  return out.sort((a, b) => a.imageId - b.imageId);
}

/**
 * The packages of an image that look up one of the changed keys (the exact test after
 * `candidateImages`), with those keys. Only they can gain or lose findings in this change.
 */
export function affectedPackages(img: StoredImage, changed: ReadonlySet<string>): { packages: Package[]; keys: PackageKey[] } {
  const packages: Package[] = [];
  const keys: PackageKey[] = [];
  for (const p of img.inventory.packages) {
    const ks = inventoryKeys({ ...(img.inventory.distro ? { distro: img.inventory.distro } : {}), packages: [p] })
      .filter((k) => changed.has(keyOf(k.ecosystem, k.name)));
    if (ks.length === 0) continue;
    packages.push(p);
    keys.push(...ks);
  }
  return { packages, keys };
}

/** Identity of a package as findings store it (ecosystem, name, installed version, path). */
export const packageKeyOf = (eco: string, name: string, version: string, path: string): string => [eco, name, version, path].join("\u0000");
