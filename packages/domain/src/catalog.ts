import type { Distro, Package } from "./model.js";

/**
 * The seam between image acquisition (packages/oci, packages/inventory) and the catalogers
 * (packages/ecosystems). Catalogers are per-file parsers: the layer walker asks every cataloger
 * whether it wants a tar entry, keeps the wanted ones (size-capped; small ones in memory, the
 * rest in the per-scan scratch directory), and calls `parse` once per kept file. Because a result depends only on one file of
 * one layer, results are cached by (layer digest, cataloger name+version) and merged across
 * layers afterwards: for each path the topmost layer's result wins, whiteouts delete.
 */

export interface FileInfo {
  size: number;
  /** POSIX mode bits as in the tar header (type bits stripped). */
  mode: number;
}

/** First bytes of a file that `FileCataloger.sample` decides on (fewer for a smaller file). */
export const SAMPLE_HEAD_BYTES = 64 * 1024;

/**
 * What to keep of a file, decided on its first bytes: all of it, nothing, or byte ranges
 * ([offset, length], read as the file streams past; ranges before the head's end are free).
 */
export type SamplePlan = "whole" | "skip" | { ranges: readonly (readonly [number, number])[] };

/** A kept byte range of a sampled file. */
export interface SampledRange {
  offset: number;
  bytes: Buffer;
}

export interface LayerFile extends FileInfo {
  /** Normalised absolute path inside the image: "/var/lib/dpkg/status". */
  path: string;
  /** Digest of the layer the file came from. */
  layerDigest: string;
  /** Whole content. Rejects with LKT_ERR_LAYER_LIMIT over `maxBytes` (default: the keep cap). */
  read(maxBytes?: number): Promise<Buffer>;
  /** Streaming read for large files. */
  stream(): NodeJS.ReadableStream;
  /**
   * Real file inside the per-scan scratch directory, for random-access formats (sqlite, BDB,
   * zip, executables). Small files are held in memory and only written out on this call.
   */
  hostPath(): Promise<string>;
  /**
   * Set when only ranges of the file were kept (every cataloger that wanted it sampled it):
   * read, stream and hostPath then reject with LKT_ERR_SAMPLE_SHORT, and so should a parser
   * that needs bytes outside these ranges; the layer is then read again with whole files.
   */
  sampled?: readonly SampledRange[];
}

export interface CatalogContext {
  /** Record a file that could not be understood; the scan goes on. */
  unknown(path: string, reason: string): void;
  /**
   * Fetch another kept file of the same layer (e.g. a -wal next to an rpmdb.sqlite). Only for
   * catalogers declared `afterLayer`: the others parse files as they arrive, before their
   * siblings exist, and get an error here.
   */
  sibling(path: string): LayerFile | undefined;
}

/**
 * Keys the layer walker indexes to find, with a map lookup or two per tar entry, the few
 * catalogers worth asking about it. An entry that hits none of a cataloger's keys is never
 * offered to its `wants`; one that hits is, and `wants` decides. So every path `wants` accepts
 * must hit a key (registry.test.ts checks this over real trees).
 */
export interface FileMatch {
  /** Exact image paths: "/var/lib/dpkg/status". */
  paths?: readonly string[];
  /** File names (last path segment): "package.json". */
  basenames?: readonly string[];
  /** Lower-cased text after the file name's last dot: "jar" for "App.JAR". */
  extensions?: readonly string[];
  /** Path prefixes, each one startsWith per entry (keep them few): "/var/lib/dpkg/status.d/". */
  prefixes?: readonly string[];
  /** Regular files with an execute bit. */
  executables?: boolean;
}

export interface FileCataloger {
  /** Stable, unique in its registry; stored with every cached result. */
  readonly name: string;
  /** Bump when output changes so cached layer results are recomputed. */
  readonly version: number;
  /** Index keys that narrow which entries `wants` sees; without it `wants` sees every file. */
  readonly match?: FileMatch;
  /**
   * Parse after the whole layer has streamed, when `ctx.sibling` can see every kept file of it.
   * Default: each file is parsed as soon as it has streamed, while the layer goes on.
   */
  readonly afterLayer?: boolean;
  /**
   * Keep only what this cataloger needs of a wanted file, decided on its first
   * SAMPLE_HEAD_BYTES (an executable's headers name the ranges its build info lives in). The
   * file is sampled only when every cataloger that wants it returns ranges or "skip". Without
   * it the whole file is kept.
   */
  sample?(head: Buffer, file: FileInfo & { path: string }): SamplePlan;
  /** Called for every regular file in every layer it matches: must be cheap (path tests only). */
  wants(path: string, info: FileInfo): boolean;
  /**
   * Parse one kept file. Sets `path` on each package (usually file.path) but not `layerDigest`
   * (the merge step sets that). Returns [] when the file holds nothing; throws only for
   * conditions the caller should record as an unknown (it catches and records them).
   */
  parse(file: LayerFile, ctx: CatalogContext): Promise<Package[]>;
}

/** Merged result of an image's inventory. */
export interface Inventory {
  distro?: Distro;
  packages: Package[];
  unknowns: { path: string; reason: string; layerDigest?: string }[];
}
