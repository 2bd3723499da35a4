ALTER TABLE "affected_ranges" DROP CONSTRAINT "affected_ranges_advisory_id_advisories_id_fk";
