import { and, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import type { Db } from "../client.js";
import { images, repositories, tags } from "../schema.js";

/** What a registry delete names: one manifest (digest), or every image of the repository (neither). */
export interface DeleteTarget {
  registry: string;
  repository: string;
  digest?: string | undefined;
}

export interface NamedImage {
  id: number;
  digest: string;
  deletedAt: Date | null;
}

/**
 * Stored images a delete names. Empty for a digest we never scanned (a blob delete looks exactly
 * like a manifest delete; only digests we know as images are ever marked).
 */
export async function imagesNamedByDelete(db: Db, t: DeleteTarget): Promise<NamedImage[]> {
  return db
    .select({ id: images.id, digest: images.digest, deletedAt: images.deletedAt })
    .from(images)
    .innerJoin(repositories, eq(images.repositoryId, repositories.id))
    .where(and(eq(repositories.registryHost, t.registry), eq(repositories.name, t.repository), t.digest ? eq(images.digest, t.digest) : undefined));
}

/**
 * Mark images deleted as of `at` (the registry's time of the delete) and drop their tags (the
 * registry untags a deleted manifest). Idempotent: an image already marked keeps its first time.
 * With `unlessPushedAfter`, an image scanned after that time is left alone (for callers that could
 * not ask the registry: a re-push delivered before an older delete wins; sensitive to clock skew
 * between registry and database, which is why confirming with the registry is preferred).
 * A later scan (upsertImage) clears the mark: a push of the same digest revives the image.
 * Returns the ids marked by this call.
 */
export async function markImagesDeleted(db: Db, ids: number[], at: Date, opts: { unlessPushedAfter?: Date } = {}): Promise<number[]> {
  if (ids.length === 0) return [];
  return db.transaction(async (tx) => {
    const marked = await tx
      .update(images)
      .set({ deletedAt: at })
      .where(and(inArray(images.id, ids), isNull(images.deletedAt), opts.unlessPushedAfter ? lte(images.lastPushedAt, opts.unlessPushedAfter) : undefined))
      .returning({ id: images.id });
    const markedIds = marked.map((m) => m.id);
    if (markedIds.length) await tx.delete(tags).where(inArray(tags.imageId, markedIds));
    return markedIds;
  });
}

/** Remove one tag (with `unlessUpdatedAfter`: unless it was re-pointed after then); true when a row went. */
export async function removeTag(db: Db, t: { registry: string; repository: string; tag: string }, opts: { unlessUpdatedAfter?: Date } = {}): Promise<boolean> {
  const gone = await db
    .delete(tags)
    .where(and(
      eq(tags.name, t.tag),
      opts.unlessUpdatedAfter ? lte(tags.updatedAt, opts.unlessUpdatedAfter) : undefined,
      sql`${tags.repositoryId} = (select id from ${repositories} where ${repositories.registryHost} = ${t.registry} and ${repositories.name} = ${t.repository})`,
    ))
    .returning({ name: tags.name });
  return gone.length > 0;
}
