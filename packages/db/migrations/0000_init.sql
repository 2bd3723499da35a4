CREATE TABLE "advisories" (
	"id" text PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"modified" timestamp with time zone,
	"published" timestamp with time zone,
	"withdrawn" timestamp with time zone,
	"aliases" text[] DEFAULT '{}'::text[] NOT NULL,
	"summary" text,
	"severity" jsonb,
	"doc" jsonb,
	"content_hash" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "affected_ranges" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"advisory_id" text NOT NULL,
	"ecosystem" text NOT NULL,
	"ecosystem_release" text,
	"package_name" text NOT NULL,
	"purl" text,
	"ranges" jsonb NOT NULL,
	"versions" text[],
	"min_key" text,
	"max_key" text,
	"state" text
);
--> statement-breakpoint
CREATE TABLE "deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"subscription_id" uuid NOT NULL,
	"event_id" text NOT NULL,
	"event_type" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"latency_ms" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "feed_state" (
	"source" text PRIMARY KEY NOT NULL,
	"etag" text,
	"last_modified" text,
	"last_success_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "feed_sync_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"source" text NOT NULL,
	"trigger" text NOT NULL,
	"status" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"added" integer DEFAULT 0 NOT NULL,
	"changed" integer DEFAULT 0 NOT NULL,
	"withdrawn" integer DEFAULT 0 NOT NULL,
	"rejected" integer DEFAULT 0 NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "findings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"image_id" bigint NOT NULL,
	"scan_id" uuid,
	"advisory_id" text NOT NULL,
	"aliases" text[] DEFAULT '{}'::text[] NOT NULL,
	"package_name" text NOT NULL,
	"package_version" text NOT NULL,
	"ecosystem" text NOT NULL,
	"purl" text,
	"fixed_versions" text[] DEFAULT '{}'::text[] NOT NULL,
	"state" text NOT NULL,
	"severity" text NOT NULL,
	"severity_source" text,
	"score" real,
	"layer_digest" text,
	"path" text,
	"status" text DEFAULT 'open' NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "images" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"repository_id" bigint NOT NULL,
	"digest" text NOT NULL,
	"media_type" text,
	"platform" text,
	"config_digest" text,
	"size" bigint,
	"created" timestamp with time zone,
	"user" text,
	"env_keys" jsonb,
	"labels" jsonb,
	"layers" jsonb,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_pushed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "packages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"image_id" bigint NOT NULL,
	"scan_id" uuid NOT NULL,
	"type" text NOT NULL,
	"ecosystem" text NOT NULL,
	"name" text NOT NULL,
	"version" text NOT NULL,
	"match_name" text NOT NULL,
	"match_version" text NOT NULL,
	"purl" text,
	"arch" text,
	"layer_digest" text,
	"path" text,
	"licenses" jsonb,
	"meta" jsonb
);
--> statement-breakpoint
CREATE TABLE "registries" (
	"id" text PRIMARY KEY NOT NULL,
	"host" text NOT NULL,
	"insecure" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "repositories" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"registry_host" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"image_id" bigint NOT NULL,
	"status" text NOT NULL,
	"reason" text NOT NULL,
	"job_id" text,
	"correlation_id" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"duration_ms" integer,
	"error" text,
	"distro" jsonb,
	"package_count" integer DEFAULT 0 NOT NULL,
	"finding_count" integer DEFAULT 0 NOT NULL,
	"severity_counts" jsonb,
	"unknowns" jsonb,
	"sbom" jsonb
);
--> statement-breakpoint
CREATE TABLE "sent_findings" (
	"subscription_id" uuid NOT NULL,
	"image_digest" text NOT NULL,
	"advisory_id" text NOT NULL,
	"package_name" text NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sent_findings_subscription_id_image_digest_advisory_id_package_name_pk" PRIMARY KEY("subscription_id","image_digest","advisory_id","package_name")
);
--> statement-breakpoint
CREATE TABLE "subscriptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"channel" text NOT NULL,
	"destination" jsonb NOT NULL,
	"secret_sealed" "bytea",
	"filter" jsonb NOT NULL,
	"cadence" jsonb NOT NULL,
	"paused" boolean DEFAULT false NOT NULL,
	"paused_reason" text,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tags" (
	"repository_id" bigint NOT NULL,
	"name" text NOT NULL,
	"image_id" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tags_repository_id_name_pk" PRIMARY KEY("repository_id","name")
);
--> statement-breakpoint
ALTER TABLE "affected_ranges" ADD CONSTRAINT "affected_ranges_advisory_id_advisories_id_fk" FOREIGN KEY ("advisory_id") REFERENCES "public"."advisories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "findings" ADD CONSTRAINT "findings_image_id_images_id_fk" FOREIGN KEY ("image_id") REFERENCES "public"."images"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "findings" ADD CONSTRAINT "findings_scan_id_scans_id_fk" FOREIGN KEY ("scan_id") REFERENCES "public"."scans"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "images" ADD CONSTRAINT "images_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "packages" ADD CONSTRAINT "packages_image_id_images_id_fk" FOREIGN KEY ("image_id") REFERENCES "public"."images"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "packages" ADD CONSTRAINT "packages_scan_id_scans_id_fk" FOREIGN KEY ("scan_id") REFERENCES "public"."scans"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scans" ADD CONSTRAINT "scans_image_id_images_id_fk" FOREIGN KEY ("image_id") REFERENCES "public"."images"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sent_findings" ADD CONSTRAINT "sent_findings_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tags" ADD CONSTRAINT "tags_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tags" ADD CONSTRAINT "tags_image_id_images_id_fk" FOREIGN KEY ("image_id") REFERENCES "public"."images"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "advisories_aliases_idx" ON "advisories" USING gin ("aliases");--> statement-breakpoint
CREATE INDEX "affected_pkg_idx" ON "affected_ranges" USING btree ("package_name","ecosystem");--> statement-breakpoint
CREATE INDEX "affected_advisory_idx" ON "affected_ranges" USING btree ("advisory_id");--> statement-breakpoint
CREATE UNIQUE INDEX "deliveries_sub_event_uq" ON "deliveries" USING btree ("subscription_id","event_id");--> statement-breakpoint
CREATE INDEX "deliveries_created_idx" ON "deliveries" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "feed_sync_runs_source_idx" ON "feed_sync_runs" USING btree ("source","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "findings_identity_uq" ON "findings" USING btree ("image_id","advisory_id","package_name","package_version");--> statement-breakpoint
CREATE INDEX "findings_image_status_idx" ON "findings" USING btree ("image_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "images_repo_digest_uq" ON "images" USING btree ("repository_id","digest");--> statement-breakpoint
CREATE INDEX "images_digest_idx" ON "images" USING btree ("digest");--> statement-breakpoint
CREATE INDEX "packages_image_idx" ON "packages" USING btree ("image_id");--> statement-breakpoint
CREATE INDEX "packages_match_idx" ON "packages" USING btree ("match_name","ecosystem");--> statement-breakpoint
CREATE UNIQUE INDEX "repositories_host_name_uq" ON "repositories" USING btree ("registry_host","name");--> statement-breakpoint
CREATE INDEX "scans_image_idx" ON "scans" USING btree ("image_id","started_at");--> statement-breakpoint
CREATE INDEX "scans_started_idx" ON "scans" USING btree ("started_at");