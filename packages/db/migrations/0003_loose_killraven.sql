CREATE TABLE "nvd_cves" (
	"cve_id" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"severity" jsonb,
	"nvd_last_modified" timestamp with time zone,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL
);
