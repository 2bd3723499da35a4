import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";
import { TarEndCompleter } from "./tar-end.js";
import { LookoutError, type FileInfo, type Unknown } from "@lookout/domain";
import { ByteCap, asLayerError, layerDecoders } from "./decompress.js";
import { withDefaults, type LayerLimits } from "./limits.js";
import { basename, dirname, normalizeEntryPath } from "./paths.js";

/** A regular file kept from a layer: held in memory (`bytes`) or copied into the scratch directory (`hostPath`). */
export interface KeptFile extends FileInfo {
  path: string;
  /** File inside the scratch directory (mode 0600, named by sequence, never by the tar name). */
  hostPath?: string;
  /** Whole content, for files kept in memory (see ScanLayerOptions.memory). */
  bytes?: Buffer;
}

/** Small wanted files are held in memory up to these caps; the rest go to the scratch directory. */
export interface MemoryKeep {
  /** Largest file held in memory. */
  maxFileBytes: number;
  /** Sum of bytes held in memory per layer. */
  maxTotalBytes: number;
}

/** What one layer contributes to the image's filesystem, as far as the catalogers care. */
export interface LayerContents {
  digest: string;
  files: Map<string, KeptFile>;
  /** Paths this layer deletes in lower layers (`.wh.<name>`). */
  whiteouts: string[];
  /** Directories whose lower-layer content this layer hides (`.wh..wh..opq`). */
  opaqueDirs: string[];
  /** Every symlink in the layer: path → raw target (resolved later, inside the image root). */
  symlinks: Map<string, string>;
  /** Wanted files that could not be kept (over the cap, hardlink to an unkept file). */
  unknowns: Unknown[];
  stats: { entries: number; expandedBytes: number; keptBytes: number };
}

export interface ScanLayerOptions {
  digest: string;
  mediaType: string;
  /** Decide per regular file whether to keep it (cheap, path-only tests). */
  wants: (path: string, info: FileInfo) => boolean;
  /** Directory this layer may write into; created if missing. Nothing is written elsewhere. */
  scratchDir: string;
  limits?: Partial<LayerLimits>;
  /**
   * Hold small kept files in memory instead of writing them to scratch: a scratch file costs
   * an open, a write and a close on the thread pool while the tar parser waits, and a read back.
   * Default: every kept file goes to scratch.
   */
  memory?: MemoryKeep;
  signal?: AbortSignal;
}

/** Read one tar entry of `size` bytes into a buffer of its own (the parser's chunks are views). */
async function readEntry(entry: AsyncIterable<unknown>, size: number, what: string): Promise<Buffer> {
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for await (const chunk of entry) {
    const b = chunk as Buffer;
    if (at + b.length > size) throw new LookoutError("LKT_ERR_LAYER_CORRUPT", `${what}: entry longer than its header says`);
    b.copy(out, at);
    at += b.length;
  }
  if (at !== size) throw new LookoutError("LKT_ERR_LAYER_CORRUPT", `${what}: entry shorter than its header says`);
  return out;
}

/**
 * An entry below a symlink of the same layer ("lib -> /etc", then "lib/passwd") is how tar
 * extractors get tricked into writing outside their root. No image builder produces it.
 */
function refuseThroughSymlink(path: string, symlinks: Map<string, string>, what: string): void {
  for (let dir = dirname(path); dir !== "/"; dir = dirname(dir)) {
    if (symlinks.has(dir)) throw new LookoutError("LKT_ERR_PATH_ESCAPE", `${what}: entry ${path.slice(0, 200)} is written through symlink ${dir.slice(0, 200)}`);
  }
}

const OPAQUE = ".wh..wh..opq";
const WH = ".wh.";

/**
 * Stream a raw layer blob (compressed as its media type says) through decompression and a tar
 * parser, keeping only wanted regular files. Never buffers a layer; the caller's `raw` stream is
 * expected to verify the blob digest and error at its end, which fails this call too. Hostile
 * content gives typed errors: LKT_ERR_LAYER_CORRUPT, LKT_ERR_LAYER_LIMIT, LKT_ERR_PATH_ESCAPE,
 * LKT_ERR_LAYER_MEDIA_TYPE.
 */
export async function scanLayer(raw: Readable, opts: ScanLayerOptions): Promise<LayerContents> {
  const what = `layer ${opts.digest.slice(0, 19)}`;
  const limits = withDefaults(opts.limits);
  const out: LayerContents = {
    digest: opts.digest,
    files: new Map(),
    whiteouts: [],
    opaqueDirs: [],
    symlinks: new Map(),
    unknowns: [],
    stats: { entries: 0, expandedBytes: 0, keptBytes: 0 },
  };
  let decoders;
  try {
    decoders = layerDecoders(opts.mediaType, what);
    await mkdir(opts.scratchDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    // The source may hold a registry connection slot until its stream closes.
    raw.destroy();
    if (e instanceof LookoutError) throw e;
    throw new LookoutError("LKT_ERR_INTERNAL", `${what}: scratch directory: ${(e as Error).message}`, { cause: e, retryable: true });
  }
  const cap = new ByteCap(limits.maxExpandedBytes, what);
  // streamx defaults to a 16 KiB buffer: with 256 KiB gunzip chunks every write would stall
  // zlib (which works off-thread) until the parser caught up.
  const extract = tar.extract({ highWaterMark: 4 << 20 });
  const abort = new AbortController();
  const onAbort = () => abort.abort(opts.signal?.reason);
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  let seq = 0;
  let memoryBytes = 0;

  const consume = async () => {
    for await (const entry of extract) {
      const h = entry.header;
      if (++out.stats.entries > limits.maxEntries) throw new LookoutError("LKT_ERR_LAYER_LIMIT", `${what}: more than ${limits.maxEntries} entries`);
      const path = normalizeEntryPath(h.name);
      if (out.symlinks.size > 0) refuseThroughSymlink(path, out.symlinks, what);
      const base = basename(path);
      if (base.startsWith(WH)) {
        if (base === OPAQUE) out.opaqueDirs.push(dirname(path));
        else out.whiteouts.push(`${dirname(path) === "/" ? "" : dirname(path)}/${base.slice(WH.length)}`);
        entry.resume();
        continue;
      }
      // A later entry for the same path replaces an earlier one (tar append semantics).
      out.files.delete(path);
      out.symlinks.delete(path);
      const info: FileInfo = { size: h.size ?? 0, mode: (h.mode ?? 0) & 0o777 };
      if (h.type === "file" || h.type === "contiguous-file") {
        if (!opts.wants(path, info)) {
          entry.resume();
          continue;
        }
        if (info.size > limits.maxFileBytes || out.stats.keptBytes + info.size > limits.maxKeptBytes) {
          out.unknowns.push({ path, layerDigest: opts.digest, reason: `file of ${info.size} bytes over the keep cap` });
          entry.resume();
          continue;
        }
        out.stats.keptBytes += info.size;
        const mem = opts.memory;
        if (mem && info.size <= mem.maxFileBytes && memoryBytes + info.size <= mem.maxTotalBytes) {
          memoryBytes += info.size;
          out.files.set(path, { path, bytes: await readEntry(entry, info.size, what), ...info });
          continue;
        }
        const hostPath = join(opts.scratchDir, String(++seq));
        // A 16 KiB write buffer (the default) paused the tar parser, and so decompression, on
        // every 256 KiB chunk until the thread pool finished its write; 4 MiB lets them overlap.
        await pipeline(entry, createWriteStream(hostPath, { flags: "wx", mode: 0o600, highWaterMark: 4 << 20 }));
        out.files.set(path, { path, hostPath, ...info });
      } else if (h.type === "link") {
        const target = normalizeEntryPath(h.linkname ?? "");
        const kept = out.files.get(target);
        if (kept && opts.wants(path, { size: kept.size, mode: kept.mode })) out.files.set(path, { ...kept, path });
        else if (!kept && opts.wants(path, info)) out.unknowns.push({ path, layerDigest: opts.digest, reason: `hardlink to ${target}, which was not kept` });
        entry.resume();
      } else if (h.type === "symlink") {
        out.symlinks.set(path, h.linkname ?? "");
        entry.resume();
      } else {
        // directories, devices, fifos: nothing to keep, nothing created on the host.
        entry.resume();
      }
    }
  };

  const feeding = pipeline([raw, ...decoders, cap, new TarEndCompleter(), extract], { signal: abort.signal });
  let consumerError: unknown;
  const consuming = consume().catch((e: unknown) => {
    consumerError = e;
    abort.abort(e);
  });
  try {
    const [f] = await Promise.allSettled([feeding, consuming]);
    // The consumer's own failure (path escape, cap, scratch write) is the cause; the pipeline
    // then only reports an abort or a premature close. Otherwise the pipeline's error is.
    if (consumerError instanceof LookoutError) throw consumerError;
    if (consumerError && (consumerError as NodeJS.ErrnoException).syscall) {
      throw new LookoutError("LKT_ERR_INTERNAL", `${what}: scratch write failed: ${(consumerError as Error).message}`, { cause: consumerError, retryable: true });
    }
    if (f.status === "rejected") throw f.reason;
    if (consumerError !== undefined) throw consumerError;
  } catch (e) {
    if (opts.signal?.aborted) throw new LookoutError("LKT_ERR_ABORTED", `${what}: scan cancelled`, { cause: opts.signal.reason, retryable: true });
    throw asLayerError(e, what);
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
  }
  out.stats.expandedBytes = cap.bytes;
  return out;
}
