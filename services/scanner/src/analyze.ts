import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DirectoryLayerCache, type LayerCache } from "@lookout/inventory";
import { analyzeImage } from "@lookout/scan-pipeline";
import type { Metrics } from "@lookout/service-kit";
import type { Analyzer } from "./scan-job.js";

export interface AnalyzerOptions {
  scratchDir?: string | undefined;
  dataDir: string;
  metrics: Metrics;
  /** Default: a directory cache under dataDir/layer-cache shared by every scan of this host. */
  cache?: LayerCache;
  /** Distro release scoping (Ubuntu Pro, Red Hat streams, SUSE LTSS): see matchScopeEnv. */
  match?: Parameters<typeof analyzeImage>[1]["match"];
}

/**
 * The analysis a scan runs: reconstruct the catalogers' files layer by layer (cached by layer
 * digest + cataloger versions), inventory, one batched advisory lookup, match, persist packages
 * and findings with a diff against the image's previous findings, CycloneDX SBOM.
 */
export function createAnalyzer(opts: AnalyzerOptions): Analyzer {
  const cache = opts.cache ?? new DirectoryLayerCache(join(opts.dataDir, "layer-cache"));
  const layers = new opts.metrics.Counter({ name: "lookout_layer_cache_total", help: "Layers by cache outcome", labelNames: ["outcome"], registers: [opts.metrics.registry] });
  const rereads = new opts.metrics.Counter({ name: "lookout_layer_rereads_total", help: "Layers read a second time, with whole files, because a sampled executable fell short (old Go, cargo-auditable)", registers: [opts.metrics.registry] });
  const packages = new opts.metrics.Histogram({ name: "lookout_scan_packages", help: "Packages per scanned image", buckets: [0, 10, 50, 100, 250, 500, 1000, 2500, 5000], registers: [opts.metrics.registry] });
  const findings = new opts.metrics.Counter({ name: "lookout_findings_total", help: "Findings by severity at scan time", labelNames: ["severity"], registers: [opts.metrics.registry] });
  return async (src, { db, imageId, scanId, log, signal }) => {
    const scratchDir = await mkdtemp(join(opts.scratchDir ?? tmpdir(), "lk-scan-"));
    try {
      const a = await analyzeImage(src, {
        db, scratchDir, cache, persist: { imageId, scanId }, ...(opts.match ? { match: opts.match } : {}),
        ...(signal ? { signal } : {}),
        onLayer: (e) => {
          layers.inc({ outcome: e.cached ? "hit" : "miss" });
          if (e.reread) rereads.inc();
        },
      });
      packages.observe(a.inventory.packages.length);
      for (const [sev, n] of Object.entries(a.severityCounts)) findings.inc({ severity: sev }, n);
      log.info({
        packages: a.inventory.packages.length, findings: a.findings.length, unknowns: a.inventory.unknowns.length,
        distro: a.inventory.distro?.id, new: a.diff?.new.length, resolved: a.diff?.resolved.length, lookupMs: Math.round(a.stats.lookupMs),
      }, "scan analysed");
      return {
        packageCount: a.inventory.packages.length,
        findingCount: a.findings.length,
        severityCounts: a.severityCounts,
        topFindings: a.topFindings.map((t) => ({ ...t, ...(t.fixedVersion ? { fixedVersion: t.fixedVersion } : {}) })),
        distro: a.inventory.distro ?? null,
        unknowns: a.inventory.unknowns.slice(0, 1000),
        sbom: a.sbom,
      };
    } finally {
      await rm(scratchDir, { recursive: true, force: true });
    }
  };
}
