DROP INDEX "affected_pkg_idx";--> statement-breakpoint
CREATE INDEX "affected_lookup_idx" ON "affected_ranges" USING btree ("ecosystem","package_name",(coalesce("max_key", chr(1114111)) collate "C"));