import { sql } from "drizzle-orm";
import {
  bigint, bigserial, boolean, customType, index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uniqueIndex, uuid,
} from "drizzle-orm/pg-core";

/**
 * The whole Postgres schema. Migrations in ../migrations are generated from this file by
 * `pnpm --filter @lookout/db generate` and applied by src/migrate.ts; a test checks they agree.
 */

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => "bytea" });
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const registries = pgTable("registries", {
  id: text("id").primaryKey(), // the source id from config: /hooks/:sourceId
  host: text("host").notNull(),
  insecure: boolean("insecure").notNull().default(false),
  createdAt: ts("created_at").notNull().defaultNow(),
});

export const repositories = pgTable(
  "repositories",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    registryHost: text("registry_host").notNull(),
    name: text("name").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("repositories_host_name_uq").on(t.registryHost, t.name)],
);

export const images = pgTable(
  "images",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    repositoryId: bigint("repository_id", { mode: "number" }).notNull().references(() => repositories.id, { onDelete: "cascade" }),
    digest: text("digest").notNull(),
    mediaType: text("media_type"),
    platform: text("platform"),
    configDigest: text("config_digest"),
    size: bigint("size", { mode: "number" }),
    created: ts("created"),
    user: text("user"),
    envKeys: jsonb("env_keys").$type<string[]>(),
    labels: jsonb("labels").$type<Record<string, string>>(),
    layers: jsonb("layers").$type<{ digest: string; mediaType: string; size: number }[]>(),
    firstSeenAt: ts("first_seen_at").notNull().defaultNow(),
    lastPushedAt: ts("last_pushed_at").notNull().defaultNow(),
    deletedAt: ts("deleted_at"),
  },
  (t) => [uniqueIndex("images_repo_digest_uq").on(t.repositoryId, t.digest), index("images_digest_idx").on(t.digest)],
);

export const tags = pgTable(
  "tags",
  {
    repositoryId: bigint("repository_id", { mode: "number" }).notNull().references(() => repositories.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    imageId: bigint("image_id", { mode: "number" }).notNull().references(() => images.id, { onDelete: "cascade" }),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.repositoryId, t.name] })],
);

export const scans = pgTable(
  "scans",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    imageId: bigint("image_id", { mode: "number" }).notNull().references(() => images.id, { onDelete: "cascade" }),
    status: text("status").$type<"running" | "succeeded" | "failed">().notNull(),
    reason: text("reason").notNull(),
    jobId: text("job_id"),
    correlationId: text("correlation_id"),
    startedAt: ts("started_at").notNull().defaultNow(),
    finishedAt: ts("finished_at"),
    durationMs: integer("duration_ms"),
    error: text("error"),
    distro: jsonb("distro"),
    packageCount: integer("package_count").notNull().default(0),
    findingCount: integer("finding_count").notNull().default(0),
    severityCounts: jsonb("severity_counts").$type<Record<string, number>>(),
    unknowns: jsonb("unknowns").$type<{ path: string; reason: string; layerDigest?: string }[]>(),
    sbom: jsonb("sbom"),
  },
  (t) => [index("scans_image_idx").on(t.imageId, t.startedAt), index("scans_started_idx").on(t.startedAt)],
);

/** The inventory of an image's latest successful scan: re-matched when advisories change. */
export const packages = pgTable(
  "packages",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    imageId: bigint("image_id", { mode: "number" }).notNull().references(() => images.id, { onDelete: "cascade" }),
    scanId: uuid("scan_id").notNull().references(() => scans.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    ecosystem: text("ecosystem").notNull(),
    name: text("name").notNull(),
    version: text("version").notNull(),
    /** Name advisories use: dpkg source / apk origin / else the package name. */
    matchName: text("match_name").notNull(),
    matchVersion: text("match_version").notNull(),
    sourceName: text("source_name"),
    sourceVersion: text("source_version"),
    epoch: integer("epoch"),
    release: text("release"),
    purl: text("purl"),
    arch: text("arch"),
    layerDigest: text("layer_digest"),
    path: text("path"),
    licenses: jsonb("licenses").$type<string[]>(),
    meta: jsonb("meta").$type<Record<string, string>>(),
  },
  (t) => [index("packages_image_idx").on(t.imageId), index("packages_match_idx").on(t.matchName, t.ecosystem)],
);

export const advisories = pgTable(
  "advisories",
  {
    id: text("id").primaryKey(),
    source: text("source").notNull(),
    modified: ts("modified"),
    published: ts("published"),
    withdrawn: ts("withdrawn"),
    aliases: text("aliases").array().notNull().default(sql`'{}'::text[]`),
    summary: text("summary"),
    severity: jsonb("severity"),
    /** The normalised advisory document (without affected ranges, which live in affected_ranges). */
    doc: jsonb("doc"),
    contentHash: text("content_hash").notNull(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [index("advisories_aliases_idx").using("gin", t.aliases)],
);

export const affectedRanges = pgTable(
  "affected_ranges",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /**
     * No foreign key: its per-row check (a KEY SHARE lock on the advisory row) doubled the cost of
     * inserting ranges in bulk. The only writer, ingestAdvisories, writes an advisory and its ranges
     * in one transaction, and lookups inner-join advisories, so a range can never stand alone.
     */
    advisoryId: text("advisory_id").notNull(),
    /** Base OSV ecosystem ("Debian") and release suffix ("12"), split so SQL can filter on both. */
    ecosystem: text("ecosystem").notNull(),
    ecosystemRelease: text("ecosystem_release"),
    packageName: text("package_name").notNull(),
    purl: text("purl"),
    ranges: jsonb("ranges").notNull(),
    versions: text("versions").array(),
    /** Position of the entry in the record's `affected[]`, so the advisory is rebuilt in order. */
    entryIndex: integer("entry_index").notNull().default(0),
    /** The rest of the normalised affected entry: original name, severity, triage words. */
    entry: jsonb("entry"),
    /** Normalised sort keys (where the scheme has one) bounding the affected span, for SQL pre-filtering. */
    minKey: text("min_key"),
    maxKey: text("max_key"),
    state: text("state"),
  },
  (t) => [
    // The lookup's pre-filter is an index condition: rows fixed below every installed version
    // are skipped inside the index, without touching the heap (U+10FFFF: no known upper bound).
    index("affected_lookup_idx").on(t.ecosystem, t.packageName, sql`(coalesce(${t.maxKey}, chr(1114111)) collate "C")`),
    index("affected_advisory_idx").on(t.advisoryId),
  ],
);

export const findings = pgTable(
  "findings",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    imageId: bigint("image_id", { mode: "number" }).notNull().references(() => images.id, { onDelete: "cascade" }),
    scanId: uuid("scan_id").references(() => scans.id, { onDelete: "set null" }),
    advisoryId: text("advisory_id").notNull(),
    aliases: text("aliases").array().notNull().default(sql`'{}'::text[]`),
    /** Ids of the advisory records merged into this finding. */
    sources: text("sources").array().notNull().default(sql`'{}'::text[]`),
    packageName: text("package_name").notNull(),
    packageVersion: text("package_version").notNull(),
    ecosystem: text("ecosystem").notNull(),
    purl: text("purl"),
    fixedVersions: text("fixed_versions").array().notNull().default(sql`'{}'::text[]`),
    state: text("state").notNull(),
    severity: text("severity").notNull(),
    severitySource: text("severity_source"),
    score: real("score"),
    layerDigest: text("layer_digest"),
    /** Where the package was read ("" when unknown): part of the identity (two copies of one npm package). */
    path: text("path").notNull().default(""),
    matchedName: text("matched_name"),
    matchedVersion: text("matched_version"),
    summary: text("summary"),
    status: text("status").$type<"open" | "resolved">().notNull().default("open"),
    firstSeenAt: ts("first_seen_at").notNull().defaultNow(),
    resolvedAt: ts("resolved_at"),
  },
  (t) => [
    uniqueIndex("findings_identity_uq").on(t.imageId, t.ecosystem, t.packageName, t.packageVersion, t.path, t.advisoryId),
    index("findings_image_status_idx").on(t.imageId, t.status),
  ],
);

export const subscriptions = pgTable("subscriptions", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  channel: text("channel").notNull(),
  /** Destination without secrets (URL host shown, recipients). */
  destination: jsonb("destination").notNull(),
  /** AES-256-GCM sealed JSON of the secret parts (URLs with tokens, signing secrets, SMTP passwords). */
  secretSealed: bytea("secret_sealed"),
  filter: jsonb("filter").notNull(),
  cadence: jsonb("cadence").notNull(),
  paused: boolean("paused").notNull().default(false),
  pausedReason: text("paused_reason"),
  consecutiveFailures: integer("consecutive_failures").notNull().default(0),
  createdAt: ts("created_at").notNull().defaultNow(),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});

export const deliveries = pgTable(
  "deliveries",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    subscriptionId: uuid("subscription_id").notNull().references(() => subscriptions.id, { onDelete: "cascade" }),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    status: text("status").$type<"pending" | "delivered" | "failed" | "skipped">().notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    latencyMs: integer("latency_ms"),
    createdAt: ts("created_at").notNull().defaultNow(),
    deliveredAt: ts("delivered_at"),
  },
  (t) => [uniqueIndex("deliveries_sub_event_uq").on(t.subscriptionId, t.eventId), index("deliveries_created_idx").on(t.createdAt)],
);

/** Findings already told to a subscription: never sent twice. */
export const sentFindings = pgTable(
  "sent_findings",
  {
    subscriptionId: uuid("subscription_id").notNull().references(() => subscriptions.id, { onDelete: "cascade" }),
    imageDigest: text("image_digest").notNull(),
    advisoryId: text("advisory_id").notNull(),
    packageName: text("package_name").notNull(),
    sentAt: ts("sent_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.imageDigest, t.advisoryId, t.packageName] })],
);

export const feedSyncRuns = pgTable(
  "feed_sync_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    source: text("source").notNull(),
    trigger: text("trigger").notNull(),
    status: text("status").$type<"running" | "succeeded" | "failed" | "unchanged">().notNull(),
    startedAt: ts("started_at").notNull().defaultNow(),
    finishedAt: ts("finished_at"),
    added: integer("added").notNull().default(0),
    changed: integer("changed").notNull().default(0),
    withdrawn: integer("withdrawn").notNull().default(0),
    rejected: integer("rejected").notNull().default(0),
    error: text("error"),
  },
  (t) => [index("feed_sync_runs_source_idx").on(t.source, t.startedAt)],
);

export const feedState = pgTable("feed_state", {
  source: text("source").primaryKey(),
  etag: text("etag"),
  lastModified: text("last_modified"),
  lastSuccessAt: ts("last_success_at"),
});

/**
 * What NVD said about a CVE (feed-sync's optional CVSS enrichment), so a later run does not ask
 * again: `scored` with the chosen severity entry, or `unscored` / `not_found` (asked again after
 * FEED_SYNC_NVD_RECHECK). The entry is re-applied from here when a feed rewrites an advisory.
 */
export const nvdCves = pgTable("nvd_cves", {
  cveId: text("cve_id").primaryKey(),
  status: text("status").$type<"scored" | "unscored" | "not_found">().notNull(),
  /** `{type: "CVSS_V3", score: "<vector>", source: "nvd@nist.gov"}` as stored in an advisory's severity list. */
  severity: jsonb("severity").$type<{ type: string; score: string; source: string }>(),
  nvdLastModified: ts("nvd_last_modified"),
  checkedAt: ts("checked_at").notNull().defaultNow(),
});
