/**
 * Feed-sync benchmark (ingest of generated OSV advisories, re-match of stored inventories after a
 * change). The implementation lives beside the service, whose dependencies it needs:
 * services/feed-sync/bench/feeds.bench.ts (options and output described there).
 */
import "../services/feed-sync/bench/feeds.bench.js";
