import { z } from "zod";
import { envelopeSchema, makeEnvelope, type Envelope } from "./envelope.js";
import { LookoutError } from "./errors.js";
import { DIGEST_RE, REPOSITORY_RE, SEVERITIES, TAG_RE } from "./model.js";

/**
 * The catalog of every bus subject, stream, durable consumer, queue and job name, each with the
 * schema its payload must satisfy. Producers call `encode*`, consumers `decode*`: both validate.
 * Nothing else in the code base spells a subject or queue name as a string literal.
 */

const digest = z.string().regex(DIGEST_RE, "must be sha256:<64 hex> or sha512:<128 hex>");
const repository = z.string().max(255).regex(REPOSITORY_RE, "must follow the OCI repository grammar");
const tag = z.string().regex(TAG_RE, "must follow the OCI tag grammar");
const severity = z.enum(SEVERITIES);

export const imageTargetSchema = z.object({
  registry: z.string().min(1).max(255),
  repository,
  digest,
  tag: tag.optional(),
  mediaType: z.string().max(255).optional(),
});
export type ImageTarget = z.infer<typeof imageTargetSchema>;

export const pushEventSchema = imageTargetSchema.extend({
  sourceId: z.string().min(1),
  eventId: z.string().min(1).max(200),
  occurredAt: z.string(),
  actor: z.string().optional(),
});
export type PushEvent = z.infer<typeof pushEventSchema>;

/**
 * A registry says content is gone. `digest` set: that manifest was deleted (a blob delete looks
 * the same, so consumers act only on digests they know as manifests). Only `tag`: the tag was
 * removed. Neither: the whole repository was deleted. `occurredAt` is the registry's clock, so a
 * consumer can order a delete against a push of the same digest delivered out of order.
 */
export const imageDeletedSchema = z.object({
  sourceId: z.string().min(1),
  eventId: z.string().min(1).max(200),
  registry: z.string().min(1).max(255),
  repository,
  digest: digest.optional(),
  tag: tag.optional(),
  occurredAt: z.string().datetime({ offset: true }),
  actor: z.string().optional(),
});
export type ImageDeleted = z.infer<typeof imageDeletedSchema>;

export const severityCountsSchema = z.record(z.string(), z.number().int().nonnegative());

export const scanCompletedSchema = z.object({
  scanId: z.string(),
  image: imageTargetSchema,
  status: z.enum(["succeeded", "failed"]),
  error: z.string().optional(),
  packageCount: z.number().int().nonnegative(),
  findingCount: z.number().int().nonnegative(),
  severityCounts: severityCountsSchema,
  durationMs: z.number().nonnegative(),
  platform: z.string().optional(),
  topFindings: z
    .array(
      z.object({
        advisoryId: z.string(),
        packageName: z.string(),
        installedVersion: z.string(),
        fixedVersion: z.string().optional(),
        severity,
        url: z.string().optional(),
      }),
    )
    .max(50)
    .default([]),
});
export type ScanCompleted = z.infer<typeof scanCompletedSchema>;

export const findingsChangedSchema = z.object({
  image: imageTargetSchema,
  kind: z.enum(["new", "resolved", "retracted"]),
  reason: z.enum(["scan", "rematch"]),
  findings: z
    .array(
      z.object({
        advisoryId: z.string(),
        packageName: z.string(),
        installedVersion: z.string(),
        fixedVersion: z.string().optional(),
        severity,
      }),
    )
    .max(1000),
  imagePushedAt: z.string().optional(),
});
export type FindingsChanged = z.infer<typeof findingsChangedSchema>;

export const feedSyncedSchema = z.object({
  runId: z.string(),
  source: z.string(),
  status: z.enum(["succeeded", "failed"]),
  added: z.number().int(),
  changed: z.number().int(),
  withdrawn: z.number().int(),
  rejected: z.number().int(),
});
export type FeedSynced = z.infer<typeof feedSyncedSchema>;

/** JetStream: one stream holds every Lookout event; subjects below it. */
export const STREAM = { name: "LOOKOUT", subjects: ["lookout.>"] } as const;

interface SubjectDef<S extends z.ZodType> {
  subject: string;
  type: string;
  schema: S;
}
function subject<S extends z.ZodType>(subjectName: string, type: string, schema: S): SubjectDef<S> {
  return { subject: subjectName, type, schema };
}

export const SUBJECTS = {
  imagePushed: subject("lookout.image.pushed", "io.lookout.image.pushed", pushEventSchema),
  imageDeleted: subject("lookout.image.deleted", "io.lookout.image.deleted", imageDeletedSchema),
  scanCompleted: subject("lookout.scan.completed", "io.lookout.scan.completed", scanCompletedSchema),
  findingsChanged: subject("lookout.findings.changed", "io.lookout.findings.changed", findingsChangedSchema),
  feedSynced: subject("lookout.feed.synced", "io.lookout.feed.synced", feedSyncedSchema),
} as const;
export type SubjectName = keyof typeof SUBJECTS;
export type SubjectData<K extends SubjectName> = z.infer<(typeof SUBJECTS)[K]["schema"]>;

/** Durable JetStream consumers: name, the subjects they take, and redelivery policy. */
// One filter subject each: Debian's nats-server 2.9 has no multi-subject filters.
export const CONSUMERS = {
  notifierScans: { durable: "notifier-scans", filterSubject: SUBJECTS.scanCompleted.subject },
  notifierFindings: { durable: "notifier-findings", filterSubject: SUBJECTS.findingsChanged.subject },
  /** The scanner marks deleted images (it owns the images rows and the registry client that confirms a delete). */
  scannerDeletes: { durable: "scanner-image-deleted", filterSubject: SUBJECTS.imageDeleted.subject },
} as const;
export type ConsumerName = keyof typeof CONSUMERS;

/** BullMQ queues and the job each carries. */
export const scanJobSchema = z.object({
  image: imageTargetSchema,
  sourceId: z.string(),
  reason: z.enum(["push", "manual", "rescan"]),
});
export type ScanJob = z.infer<typeof scanJobSchema>;

export const feedSyncJobSchema = z.object({
  source: z.string().optional(),
  trigger: z.enum(["schedule", "manual"]),
});
export type FeedSyncJob = z.infer<typeof feedSyncJobSchema>;

export const deliveryJobSchema = z.object({
  subscriptionId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  /** The event as received, validated again by the deliverer. */
  event: z.unknown(),
});
export type DeliveryJob = z.infer<typeof deliveryJobSchema>;

export const QUEUES = {
  scan: { name: "lookout-scan", job: "scan-image", schema: scanJobSchema },
  feedSync: { name: "lookout-feed-sync", job: "sync-feeds", schema: feedSyncJobSchema },
  delivery: { name: "lookout-delivery", job: "deliver", schema: deliveryJobSchema },
} as const;
export type QueueName = keyof typeof QUEUES;
export type QueueData<K extends QueueName> = z.infer<(typeof QUEUES)[K]["schema"]>;

/** The scan of one digest on one registry is one job, however often it is pushed. */
export function scanJobId(image: { registry: string; repository: string; digest: string }): string {
  // BullMQ forbids ':' in custom ids; the digest's algorithm separator becomes '-'.
  return `scan_${image.registry}_${image.repository}_${image.digest}`.replace(/[:/]/g, "-");
}

export function deliveryJobId(subscriptionId: string, eventId: string): string {
  return `deliver_${subscriptionId}_${eventId}`.replace(/:/g, "-");
}

function fail(what: string, err: z.ZodError): never {
  const first = err.issues[0];
  const where = first && first.path.length ? first.path.join(".") : "(root)";
  throw new LookoutError("LKT_ERR_CONTRACT_INVALID", `${what}: ${where} ${first?.message ?? "invalid"}`, { cause: err });
}

export function encodeEvent<K extends SubjectName>(
  name: K,
  source: string,
  data: SubjectData<K>,
  opts: { id?: string; correlationId?: string } = {},
): Envelope<SubjectData<K>> {
  const def = SUBJECTS[name];
  const parsed = def.schema.safeParse(data);
  if (!parsed.success) fail(`event ${def.subject}`, parsed.error);
  return makeEnvelope(def.type, source, parsed.data as SubjectData<K>, opts);
}

/** One envelope schema per payload schema: building a zod object per message cost more than validating it. */
const envelopes = new WeakMap<z.ZodType, z.ZodType>();
function envelopeOf(data: z.ZodType): z.ZodType {
  let e = envelopes.get(data);
  if (!e) envelopes.set(data, (e = envelopeSchema(data)));
  return e;
}

export function decodeEvent<K extends SubjectName>(name: K, raw: unknown): Envelope<SubjectData<K>> {
  const def = SUBJECTS[name];
  const parsed = envelopeOf(def.schema).safeParse(raw);
  if (!parsed.success) fail(`event ${def.subject}`, parsed.error);
  return parsed.data as Envelope<SubjectData<K>>;
}

/** Subject → catalog key, for consumers that take several subjects. */
export function subjectNameOf(subjectStr: string): SubjectName | undefined {
  for (const [k, v] of Object.entries(SUBJECTS)) if (v.subject === subjectStr) return k as SubjectName;
  return undefined;
}

export function encodeJob<K extends QueueName>(name: K, data: QueueData<K>, correlationId: string): Envelope<QueueData<K>> {
  const def = QUEUES[name];
  const parsed = def.schema.safeParse(data);
  if (!parsed.success) fail(`job ${def.name}`, parsed.error);
  return makeEnvelope(def.job, "lookout", parsed.data as QueueData<K>, { correlationId });
}

export function decodeJob<K extends QueueName>(name: K, raw: unknown): Envelope<QueueData<K>> {
  const def = QUEUES[name];
  const parsed = envelopeOf(def.schema).safeParse(raw);
  if (!parsed.success) fail(`job ${def.name}`, parsed.error);
  return parsed.data as Envelope<QueueData<K>>;
}
