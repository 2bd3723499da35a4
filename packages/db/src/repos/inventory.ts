import { asc, eq } from "drizzle-orm";
import type { Package } from "@lookout/domain";
import type { Db } from "../client.js";
import { packages } from "../schema.js";

/** Rows per INSERT: 20 columns each, far below the 65,535 bind-parameter limit. */
const CHUNK = 1000;

/**
 * Replace the stored inventory of an image with `pkgs` (the latest successful scan's), in
 * batched multi-row inserts. Run it inside the caller's transaction when it must be atomic with
 * other writes (saveScanResults does).
 */
export async function replacePackages(db: Db, imageId: number, scanId: string, pkgs: readonly Package[]): Promise<void> {
  await db.delete(packages).where(eq(packages.imageId, imageId));
  for (let i = 0; i < pkgs.length; i += CHUNK) {
    await db.insert(packages).values(pkgs.slice(i, i + CHUNK).map((p) => ({
      imageId,
      scanId,
      type: p.type,
      ecosystem: p.ecosystem,
      name: p.name,
      version: p.version,
      matchName: p.sourceName || p.name,
      matchVersion: p.sourceVersion || p.version,
      sourceName: p.sourceName ?? null,
      sourceVersion: p.sourceVersion ?? null,
      epoch: p.epoch ?? null,
      release: p.release ?? null,
      purl: p.purl,
      arch: p.arch ?? null,
      layerDigest: p.layerDigest ?? null,
      path: p.path,
      licenses: p.licenses ?? null,
      meta: p.meta ?? null,
    })));
  }
}

/** A stored packages row as the Package the matcher takes (null columns left out). */
export function packageFromRow(r: typeof packages.$inferSelect): Package {
  const p: Package = { type: r.type, name: r.name, version: r.version, ecosystem: r.ecosystem, purl: r.purl ?? "", path: r.path ?? "" };
  if (r.arch !== null) p.arch = r.arch;
  if (r.sourceName !== null) p.sourceName = r.sourceName;
  if (r.sourceVersion !== null) p.sourceVersion = r.sourceVersion;
  if (r.epoch !== null) p.epoch = r.epoch;
  if (r.release !== null) p.release = r.release;
  if (r.licenses !== null) p.licenses = r.licenses;
  if (r.layerDigest !== null) p.layerDigest = r.layerDigest;
  if (r.meta !== null) p.meta = r.meta;
  return p;
}

/** The stored inventory of an image, as Packages (for re-matching when advisories change). */
export async function loadPackages(db: Db, imageId: number): Promise<Package[]> {
  const rows = await db.select().from(packages).where(eq(packages.imageId, imageId)).orderBy(asc(packages.id));
  return rows.map(packageFromRow);
}
