/**
 * @lookout/advisory-store: advisories in Postgres/PGlite. `ingestAdvisories` streams normalised OSV
 * records in with batched, hash-skipped upserts; `lookupCandidates` fetches every candidate of an
 * inventory in one query, in the shape `match` (@lookout/matching) wants.
 */
export { ingestAdvisories, type IngestOptions, type IngestResult, type IngestSourceItem, type PackageKey } from "./ingest.js";
export { inventoryKeys, keyOf, lookupCandidates, lookupFrom, type LookupKey } from "./lookup.js";
export { lowestInstalledKey, upperKey, BOUNDS_VERSION } from "./bounds.js";
export { contentHash } from "./records.js";
export { nullableTextArrayLiteral, textArrayLiteral } from "./pg-array.js";
