import { imagesNamedByDelete, markImagesDeleted, removeTag, type Db } from "@lookout/db";
import { isLookoutError, scanJobId, type Envelope, type ImageDeleted, type ImageRef } from "@lookout/domain";
import type { Logger } from "@lookout/log";
import type { RegistryClient } from "@lookout/oci";

/**
 * The scanner's consumer of `image.deleted`. The scanner owns the images rows (every scan creates
 * or revives one) and holds the only registry client with credentials, so it is the one that can
 * confirm a delete before acting on it: a forged or stale delete must not hide a live image
 * (shared/reference/registry-webhooks.md §9, defence 7). Marked images stop being re-matched at
 * once; feed-sync's retention purges them after FEED_SYNC_DELETED_RETENTION.
 */

export type DeleteOutcome =
  | "marked" // images marked deleted now
  | "already" // every named image was already marked (a duplicate delivery)
  | "unknown" // no stored image has this digest (a blob delete, or never scanned)
  | "present" // the registry still serves it: a stale or forged delete, ignored
  | "superseded" // unconfirmed, and the image was pushed after the delete: ignored
  | "untagged" // a tag delete removed the tag
  | "tag-unknown"; // a tag delete for a tag we do not hold (or re-pointed since)

export interface DeleteDeps {
  db: Db;
  /** Confirms deletes with a HEAD (404 = gone); absent when SCANNER_VERIFY_DELETES=false. */
  registry?: Pick<RegistryClient, "headDigest"> | undefined;
  /** Completed scan jobs of a deleted digest are dropped so a re-push of it is scanned (and revived). */
  scanJobs?: { getJob(id: string): Promise<{ isCompleted(): Promise<boolean>; isFailed(): Promise<boolean>; remove(): Promise<void> } | undefined> } | undefined;
  log: Logger;
}

/** True when the registry answers 404 for the reference, false when it serves it; other errors propagate (retried). */
async function goneFromRegistry(registry: Pick<RegistryClient, "headDigest">, ref: ImageRef): Promise<boolean> {
  try {
    await registry.headDigest(ref);
    return false;
  } catch (e) {
    if (isLookoutError(e) && e.code === "LKT_ERR_BLOB_NOT_FOUND") return true;
    throw e;
  }
}

export async function handleImageDeleted(deps: DeleteDeps, env: Envelope<ImageDeleted>): Promise<{ outcome: DeleteOutcome; images: number }> {
  const d = env.data;
  const at = new Date(d.occurredAt);
  const log = deps.log.child({ correlationId: env.correlationId, eventId: d.eventId, repository: d.repository, digest: d.digest, tag: d.tag });
  const base = { registry: d.registry, repository: d.repository };
  const done = (outcome: DeleteOutcome, images = 0) => {
    log.info({ outcome, images }, "delete handled");
    return { outcome, images };
  };

  if (!d.digest && d.tag) {
    if (deps.registry && !(await goneFromRegistry(deps.registry, { ...base, tag: d.tag }))) return done("present");
    const removed = await removeTag(deps.db, { ...base, tag: d.tag }, deps.registry ? {} : { unlessUpdatedAfter: at });
    return done(removed ? "untagged" : "tag-unknown");
  }

  // A digest names one manifest; neither digest nor tag names the whole repository.
  const named = await imagesNamedByDelete(deps.db, { ...base, digest: d.digest });
  if (named.length === 0) return done("unknown");
  const live = named.filter((i) => i.deletedAt === null);
  if (live.length === 0) return done("already");
  const gone = [];
  for (const img of live) {
    if (!deps.registry || (await goneFromRegistry(deps.registry, { ...base, digest: img.digest }))) gone.push(img);
  }
  if (gone.length === 0) return done("present");
  const marked = await markImagesDeleted(deps.db, gone.map((i) => i.id), at, deps.registry ? {} : { unlessPushedAfter: at });
  for (const img of gone.filter((i) => marked.includes(i.id))) await forgetScanJob(deps, { ...base, digest: img.digest });
  return done(marked.length ? "marked" : deps.registry ? "already" : "superseded", marked.length);
}

async function forgetScanJob(deps: DeleteDeps, image: { registry: string; repository: string; digest: string }): Promise<void> {
  const job = await deps.scanJobs?.getJob(scanJobId(image));
  // Only finished jobs: a waiting or running one fails on its own (the manifest is gone) or is a re-push.
  if (job && ((await job.isCompleted()) || (await job.isFailed()))) await job.remove();
}
