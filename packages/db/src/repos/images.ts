import { and, desc, eq, isNotNull, isNull, sql } from "drizzle-orm";
import type { Db } from "../client.js";
import { images, repositories, tags } from "../schema.js";

export interface ImageRecord {
  registry: string;
  repository: string;
  digest: string;
  tag?: string | undefined;
  mediaType?: string | undefined;
  platform?: string | undefined;
  configDigest?: string | undefined;
  size?: number | undefined;
  created?: Date | undefined;
  user?: string | undefined;
  envKeys?: string[] | undefined;
  labels?: Record<string, string> | undefined;
  layers?: { digest: string; mediaType: string; size: number }[] | undefined;
}

/** Insert or refresh an image (and its repository and tag); returns the image id. */
export async function upsertImage(db: Db, rec: ImageRecord): Promise<number> {
  const [repo] = await db
    .insert(repositories)
    .values({ registryHost: rec.registry, name: rec.repository })
    .onConflictDoUpdate({ target: [repositories.registryHost, repositories.name], set: { name: sql`excluded.name` } })
    .returning({ id: repositories.id });
  const values = {
    repositoryId: repo!.id,
    digest: rec.digest,
    mediaType: rec.mediaType,
    platform: rec.platform,
    configDigest: rec.configDigest,
    size: rec.size,
    created: rec.created,
    user: rec.user,
    envKeys: rec.envKeys,
    labels: rec.labels,
    layers: rec.layers,
  };
  const set: Record<string, unknown> = { lastPushedAt: new Date(), deletedAt: null };
  for (const [k, v] of Object.entries(values)) if (v !== undefined && k !== "repositoryId" && k !== "digest") set[k] = v;
  const [img] = await db
    .insert(images)
    .values(values)
    .onConflictDoUpdate({ target: [images.repositoryId, images.digest], set })
    .returning({ id: images.id });
  if (rec.tag) {
    await db
      .insert(tags)
      .values({ repositoryId: repo!.id, name: rec.tag, imageId: img!.id })
      .onConflictDoUpdate({ target: [tags.repositoryId, tags.name], set: { imageId: img!.id, updatedAt: new Date() } });
  }
  return img!.id;
}

export interface ImageListItem {
  id: number;
  registry: string;
  repository: string;
  digest: string;
  tags: string[];
  platform: string | null;
  mediaType: string | null;
  size: number | null;
  lastPushedAt: Date;
  /** Set when the registry deleted the image (kept until retention purges it). */
  deletedAt: Date | null;
}

/** `deleted`: live images only (default), live and deleted ones, or deleted ones only. */
export async function listImages(
  db: Db, opts: { repository?: string; limit?: number; offset?: number; deleted?: "exclude" | "include" | "only" } = {},
): Promise<ImageListItem[]> {
  const deleted = opts.deleted ?? "exclude";
  const rows = await db
    .select({
      id: images.id,
      registry: repositories.registryHost,
      repository: repositories.name,
      digest: images.digest,
      platform: images.platform,
      mediaType: images.mediaType,
      size: images.size,
      lastPushedAt: images.lastPushedAt,
      deletedAt: images.deletedAt,
      tags: sql<string[]>`coalesce((select array_agg(t.name order by t.name) from tags t where t.image_id = ${images.id}), '{}')`,
    })
    .from(images)
    .innerJoin(repositories, eq(images.repositoryId, repositories.id))
    .where(and(
      deleted === "exclude" ? isNull(images.deletedAt) : deleted === "only" ? isNotNull(images.deletedAt) : undefined,
      opts.repository ? eq(repositories.name, opts.repository) : undefined))
    .orderBy(desc(images.lastPushedAt))
    .limit(Math.min(opts.limit ?? 100, 1000))
    .offset(opts.offset ?? 0);
  return rows;
}

/** An image by manifest digest (optionally within one repository); the newest push wins. */
export async function getImageByDigest(db: Db, digest: string, repository?: string) {
  const [row] = await db
    .select({ image: images })
    .from(images)
    .innerJoin(repositories, eq(images.repositoryId, repositories.id))
    .where(and(eq(images.digest, digest), repository ? eq(repositories.name, repository) : undefined))
    .orderBy(desc(images.lastPushedAt))
    .limit(1);
  return row?.image;
}

export async function getImage(db: Db, id: number) {
  const [row] = await db.select().from(images).where(eq(images.id, id));
  return row;
}
