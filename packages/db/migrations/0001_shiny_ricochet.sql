DROP INDEX "affected_pkg_idx";--> statement-breakpoint
DROP INDEX "findings_identity_uq";--> statement-breakpoint
ALTER TABLE "findings" ALTER COLUMN "path" SET DEFAULT '';--> statement-breakpoint
UPDATE "findings" SET "path" = '' WHERE "path" IS NULL;--> statement-breakpoint
ALTER TABLE "findings" ALTER COLUMN "path" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "affected_ranges" ADD COLUMN "entry_index" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "affected_ranges" ADD COLUMN "entry" jsonb;--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "sources" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "matched_name" text;--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "matched_version" text;--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "summary" text;--> statement-breakpoint
ALTER TABLE "packages" ADD COLUMN "source_name" text;--> statement-breakpoint
ALTER TABLE "packages" ADD COLUMN "source_version" text;--> statement-breakpoint
ALTER TABLE "packages" ADD COLUMN "epoch" integer;--> statement-breakpoint
ALTER TABLE "packages" ADD COLUMN "release" text;--> statement-breakpoint
CREATE INDEX "affected_pkg_idx" ON "affected_ranges" USING btree ("ecosystem","package_name");--> statement-breakpoint
CREATE UNIQUE INDEX "findings_identity_uq" ON "findings" USING btree ("image_id","ecosystem","package_name","package_version","path","advisory_id");