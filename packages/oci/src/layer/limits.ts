/** Per-layer extraction caps. All configurable; defaults sized for real images on a 2-core worker. */
export interface LayerLimits {
  /** Decompressed tar bytes per layer (decompression bomb guard). */
  maxExpandedBytes: number;
  /** Tar entries per layer. */
  maxEntries: number;
  /** Largest single file kept for the catalogers. */
  maxFileBytes: number;
  /** Sum of kept bytes per layer. */
  maxKeptBytes: number;
}

export const DEFAULT_LAYER_LIMITS: LayerLimits = {
  maxExpandedBytes: 16 * 1024 ** 3,
  maxEntries: 1_000_000,
  maxFileBytes: 256 * 1024 ** 2,
  maxKeptBytes: 2 * 1024 ** 3,
};

export function withDefaults(l: Partial<LayerLimits> | undefined): LayerLimits {
  return { ...DEFAULT_LAYER_LIMITS, ...(l ?? {}) };
}
