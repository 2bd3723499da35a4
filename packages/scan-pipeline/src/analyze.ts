import { inventoryKeys, lookupCandidates, lookupFrom } from "@lookout/advisory-store";
import { saveScanResults, type Db, type SavedDiff } from "@lookout/db";
import type { Inventory } from "@lookout/domain";
import { CATALOGERS, coalesceNpm, detectDistro, DISTRO_FILES, finalizeInventory } from "@lookout/ecosystems";
import { buildInventory, type LayerCache, type LayerEvent } from "@lookout/inventory";
import { match, newMatchStats, type Finding, type MatchOptions, type MatchStats } from "@lookout/matching";
import type { ImageSource, LayerLimits } from "@lookout/oci";
import { toCycloneDX, type SbomImageMeta } from "@lookout/sbom";
import { cdxVulnerabilities, severityCounts, topFindings, type TopFinding } from "./report.js";


export interface AnalyzeOptions {
  db: Db;
  /** Per-scan scratch directory (layers are reconstructed under it, then removed). */
  scratchDir: string;
  cache?: LayerCache;
  limits?: Partial<LayerLimits>;
  /** When given, packages and findings are stored for this image/scan and `diff` is returned. */
  persist?: { imageId: number; scanId: string };
  /** Matcher options (e.g. includeUbuntuPro). */
  match?: Omit<MatchOptions, "stats">;
  /** SBOM subject; default: the source's name, manifest digest and platform. */
  sbomMeta?: SbomImageMeta;
  /** Pass for byte-stable SBOMs. */
  sbomOptions?: { timestamp?: string; uuid?: string };
  concurrency?: number;
  signal?: AbortSignal;
  onLayer?: (e: LayerEvent) => void;
  /** One line per skipped (package, advisory) pair (invalid versions…), for a debug log. */
  onSkip?: (reason: string) => void;
}

export interface Analysis {
  inventory: Inventory;
  findings: Finding[];
  /** Against the image's previously stored open findings; only with `persist`. */
  diff?: SavedDiff<Finding>;
  /** CycloneDX 1.6 with `vulnerabilities`. */
  sbom: Record<string, unknown>;
  severityCounts: Record<string, number>;
  /** At most 20, most severe first. */
  topFindings: TopFinding[];
  stats: MatchStats & { candidateKeys: number; lookupMs: number; matchMs: number };
}

/** Inventory only (catalogers, distro detection, npm coalescing, distro finalisation). */
export function inventoryOf(source: ImageSource, opts: Pick<AnalyzeOptions, "scratchDir" | "cache" | "limits" | "concurrency" | "signal" | "onLayer">): Promise<Inventory> {
  return buildInventory(source, {
    catalogers: CATALOGERS,
    detectDistro,
    distroFiles: DISTRO_FILES,
    finalize: (pkgs, distro) => finalizeInventory(coalesceNpm(pkgs), distro),
    scratchDir: opts.scratchDir,
    ...(opts.cache ? { cache: opts.cache } : {}),
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onLayer ? { onLayer: opts.onLayer } : {}),
  });
}

/**
 * Analyse one image: inventory → ONE batched advisory lookup → match → (with `persist`) store
 * packages and findings and diff against the previous scan → CycloneDX SBOM with vulnerabilities.
 * Layer failures reject with their typed error; unreadable files become inventory unknowns.
 */
export async function analyzeImage(source: ImageSource, opts: AnalyzeOptions): Promise<Analysis> {
  const inventory = await inventoryOf(source, opts);
  return analyzeInventory(inventory, source, opts);
}

/** The matching half of `analyzeImage`, for an inventory already built (or re-matching a stored one). */
export async function analyzeInventory(inventory: Inventory, source: Pick<ImageSource, "name" | "manifestDigest" | "platform">, opts: Omit<AnalyzeOptions, "scratchDir">): Promise<Analysis> {
  const keys = inventoryKeys(inventory, opts.match ?? {});
  const t0 = performance.now();
  const candidates = await lookupCandidates(opts.db, keys);
  const t1 = performance.now();
  const stats = newMatchStats();
  const findings = match(inventory, lookupFrom(candidates), { ...opts.match, stats, ...(opts.onSkip ? { onSkip: opts.onSkip } : {}) });
  const t2 = performance.now();
  const diff = opts.persist ? await saveScanResults(opts.db, { ...opts.persist, inventory, findings }) : undefined;
  const meta: SbomImageMeta = opts.sbomMeta ?? {
    name: source.name,
    digest: source.manifestDigest,
    ...(source.platform ? { platform: source.platform } : {}),
  };
  const sbom = toCycloneDX(inventory, meta, { ...opts.sbomOptions, vulnerabilities: cdxVulnerabilities(inventory.packages, findings) });
  const out: Analysis = {
    inventory,
    findings,
    sbom,
    severityCounts: severityCounts(findings),
    topFindings: topFindings(findings),
    stats: { ...stats, candidateKeys: keys.length, lookupMs: t1 - t0, matchMs: t2 - t1 },
  };
  if (diff) out.diff = diff;
  return out;
}
