import { mkdir, open, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { Writable, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { LookoutError, type FileInfo, type SampledRange, type SamplePlan, type Unknown } from "@lookout/domain";
import { DigestVerifier, WORKER_HASH_MIN } from "../digest.js";
import { layerCompression } from "../media-types.js";
import { asLayerError, layerDecoders } from "./decompress.js";
import type { WorkerDecoder } from "./worker-decoder.js";
import { TarScanner, type TarBodySink, type TarEntryHandler } from "./tar-scan.js";
import { withDefaults, type LayerLimits } from "./limits.js";
import { basename, dirname, normalizeEntryPath } from "./paths.js";
import { MAX_SAMPLED_LAYER_BYTES, sampleSink } from "./sample.js";

/** A regular file kept from a layer: held in memory (`bytes`) or copied into the scratch directory (`hostPath`). */
export interface KeptFile extends FileInfo {
  path: string;
  /** File inside the scratch directory (mode 0600, named by sequence, never by the tar name). */
  hostPath?: string;
  /** Whole content, for files kept in memory (see ScanLayerOptions.memory). */
  bytes?: Buffer;
  /** Kept byte ranges, for files kept by a sampling plan (see ScanLayerOptions.sample). */
  sampled?: SampledRange[];
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
  /**
   * Called once per kept file as soon as it is complete, in tar order, with a promise that
   * settles when its bytes can be read (its scratch write is done), so a caller can parse it
   * while the rest of the layer streams. Nothing is verified yet: whatever is derived must be
   * dropped if scanLayer rejects, and only files still in the returned `files` count (a later
   * entry of the same path replaces a file).
   */
  onFile?: (file: KeptFile, ready: Promise<void>) => void;
  /**
   * For a wanted file, a function that decides from its first SAMPLE_HEAD_BYTES what to keep
   * (whole, nothing, or byte ranges held in memory, at most MAX_SAMPLED_BYTES); undefined keeps
   * the file whole as usual.
   */
  sample?: (path: string, info: FileInfo) => ((head: Buffer) => SamplePlan) | undefined;
  signal?: AbortSignal;
}

const READY: Promise<void> = Promise.resolve();
/** Body sink for a file that turned out not to be kept. */
const DISCARD: TarBodySink = { data: () => {}, end: () => {} };

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
  let verifier: DigestVerifier | undefined;
  try {
    // A big gzip/zstd blob from a DigestVerifier is hashed by the decoder worker in the pass
    // that decompresses it (one copy of the input crosses threads instead of two). Decided
    // synchronously, before the blob's first bytes flow (offload refuses after that).
    const compression = layerCompression(opts.mediaType);
    const big = raw instanceof DigestVerifier && (raw.declaredSize ?? 0) >= WORKER_HASH_MIN;
    const algorithm = big && (compression === "gzip" || compression === "zstd") ? raw.offload() : undefined;
    if (algorithm) verifier = raw as DigestVerifier;
    decoders = layerDecoders(opts.mediaType, what, { lend: true, worker: big, ...(algorithm ? { algorithm } : {}) });
    await mkdir(opts.scratchDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    // The source may hold a registry connection slot until its stream closes.
    raw.destroy();
    if (e instanceof LookoutError) throw e;
    throw new LookoutError("LKT_ERR_INTERNAL", `${what}: scratch directory: ${(e as Error).message}`, { cause: e, retryable: true });
  }
  const abort = new AbortController();
  const onAbort = () => abort.abort(opts.signal?.reason);
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  let seq = 0;
  let memoryBytes = 0;
  let sampledBytes = 0;
  const onFile = opts.onFile;
  // Scratch files' readiness, for hardlinks to them (only when someone listens).
  const readyOf = onFile ? new WeakMap<KeptFile, Promise<void>>() : undefined;
  const kept = (f: KeptFile, ready: Promise<void>) => {
    out.files.set(f.path, f);
    if (onFile) {
      if (ready !== READY) readyOf!.set(f, ready);
      onFile(f, ready);
    }
  };

  /**
   * A wanted file kept whole: in memory within its caps, else in the scratch directory; over the
   * keep caps, nothing is kept and the file is an unknown (undefined).
   */
  const keepWhole = (path: string, info: FileInfo): TarBodySink | undefined => {
    if (info.size > limits.maxFileBytes || out.stats.keptBytes + info.size > limits.maxKeptBytes) {
      out.unknowns.push({ path, layerDigest: opts.digest, reason: `file of ${info.size} bytes over the keep cap` });
      return undefined;
    }
    out.stats.keptBytes += info.size;
    const mem = opts.memory;
    if (mem && info.size <= mem.maxFileBytes && memoryBytes + info.size <= mem.maxTotalBytes) {
      memoryBytes += info.size;
      const bytes = Buffer.allocUnsafe(info.size);
      let at = 0;
      return {
        data: (v) => void (at += v.copy(bytes, at)),
        end: () => kept({ path, bytes, ...info }, READY),
      };
    }
    const hostPath = join(opts.scratchDir, String(++seq));
    return sink.scratchFile(hostPath, (ready) => kept({ path, hostPath, ...info }, ready));
  };

  const handler: TarEntryHandler = {
    entry(h): TarBodySink | undefined {
      if (++out.stats.entries > limits.maxEntries) throw new LookoutError("LKT_ERR_LAYER_LIMIT", `${what}: more than ${limits.maxEntries} entries`);
      const path = normalizeEntryPath(h.name);
      if (out.symlinks.size > 0) refuseThroughSymlink(path, out.symlinks, what);
      const base = basename(path);
      if (base.startsWith(WH)) {
        if (base === OPAQUE) out.opaqueDirs.push(dirname(path));
        else out.whiteouts.push(`${dirname(path) === "/" ? "" : dirname(path)}/${base.slice(WH.length)}`);
        return undefined;
      }
      // A later entry for the same path replaces an earlier one (tar append semantics).
      out.files.delete(path);
      out.symlinks.delete(path);
      const info: FileInfo = { size: h.size, mode: (h.mode || 0) & 0o777 };
      if (h.type === "file" || h.type === "contiguous-file") {
        if (!opts.wants(path, info)) return undefined;
        const decide = opts.sample?.(path, info);
        if (!decide) return keepWhole(path, info);
        // The keep caps apply to what is kept: the whole file, or its samples (which have their
        // own per-file and per-layer budgets).
        return sampleSink(info.size, decide, {
          admit: (n) => {
            if (sampledBytes + n > MAX_SAMPLED_LAYER_BYTES) return false;
            sampledBytes += n;
            return true;
          },
          whole: () => keepWhole(path, info) ?? DISCARD,
          done: (sampled) => {
            if (!sampled) return;
            out.stats.keptBytes += sampled.reduce((n, r) => n + r.bytes.length, 0);
            kept({ path, sampled, ...info }, READY);
          },
        });
      }
      if (h.type === "link") {
        const target = normalizeEntryPath(h.linkname ?? "");
        const to = out.files.get(target);
        if (to && opts.wants(path, { size: to.size, mode: to.mode })) kept({ ...to, path }, readyOf?.get(to) ?? READY);
        else if (!to && opts.wants(path, info)) out.unknowns.push({ path, layerDigest: opts.digest, reason: `hardlink to ${target}, which was not kept` });
      } else if (h.type === "symlink") {
        out.symlinks.set(path, h.linkname ?? "");
      }
      // directories, devices, fifos: nothing to keep, nothing created on the host.
      return undefined;
    },
  };
  const last = decoders[decoders.length - 1] as Partial<ChunkRecycler> | undefined;
  const sink = new LayerSink(new TarScanner(handler, what), limits.maxExpandedBytes, what, last?.recycle?.bind(last));

  try {
    await pipeline([raw, ...decoders, sink], { signal: abort.signal });
    verifier?.settle((last as WorkerDecoder).digest());
  } catch (e) {
    if (opts.signal?.aborted) throw new LookoutError("LKT_ERR_ABORTED", `${what}: scan cancelled`, { cause: opts.signal.reason, retryable: true });
    // Bad data from a blob that is not what its digest says is a digest mismatch first.
    const hex = verifier && !(e instanceof LookoutError && e.code === "LKT_ERR_DIGEST_MISMATCH") ? (last as WorkerDecoder).digest() : undefined;
    if (hex !== undefined) verifier!.settle(hex);
    throw asLayerError(e, what);
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
    // Every stream of the pipeline is finished or destroyed: nothing reads the decoder's
    // views any more, so its worker (and rings) may serve the next layer.
    (last as Partial<WorkerDecoder> | undefined)?.release?.();
  }
  out.stats.expandedBytes = sink.bytes;
  return out;
}

/** A decoder whose output chunks may be handed back for reuse once the consumer is done with them. */
export interface ChunkRecycler {
  recycle(chunk: Buffer): void;
}

/** Scratch bytes queued for writing before the parser (and so decompression) waits. */
const SCRATCH_INFLIGHT = 8 << 20;
/** Largest single scratch write. */
const SCRATCH_BLOCK = 4 << 20;
/** Blocks kept for reuse: what can be in flight, plus the one being filled. */
const SPARE_BLOCKS = SCRATCH_INFLIGHT / SCRATCH_BLOCK + 1;

/**
 * The end of the pipeline: counts expanded bytes against the cap, runs the tar scanner on each
 * chunk synchronously and, when the scanner is done with a chunk, hands it back to the decoder.
 * One stage instead of cap → end-completer → tar-stream → per-entry streams: per-chunk stream
 * and promise overhead and retained views were most of the main thread's work besides GC.
 */
class LayerSink extends Writable {
  bytes = 0;
  private pending: Promise<unknown> | undefined;
  private readonly io = new Set<Promise<unknown>>();
  private ioBytes = 0;
  private ioError: LookoutError | undefined;
  private readonly open = new Set<Promise<FileHandle>>();
  /** Written blocks come back here: a few blocks serve every kept file of the layer. */
  private readonly spare: Buffer[] = [];

  constructor(
    private readonly scanner: TarScanner,
    private readonly cap: number,
    private readonly what: string,
    private readonly recycle: ((chunk: Buffer) => void) | undefined,
  ) {
    super({ highWaterMark: 4 << 20 });
  }

  override _write(chunk: Buffer, _e: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.bytes += chunk.length;
    if (this.bytes > this.cap) return cb(new LookoutError("LKT_ERR_LAYER_LIMIT", `${this.what}: expands past ${this.cap} bytes`));
    this.feed(chunk, 0, cb);
  }

  private feed(chunk: Buffer, off: number, cb: (e?: Error | null) => void): void {
    try {
      while (off < chunk.length) {
        // Stopped (cancelled, failed) while waiting for a write: the chunk may be a view on a
        // ring that already serves another stream.
        if (this.destroyed) return cb();
        if (this.ioError) throw this.ioError;
        off = this.scanner.write(chunk, off, () => this.pending !== undefined);
        const p = this.pending;
        if (p) {
          this.pending = undefined;
          p.then(() => this.feed(chunk, off, cb), (e: Error) => cb(e));
          return;
        }
      }
    } catch (e) {
      return cb(e as Error);
    }
    this.recycle?.(chunk);
    cb();
  }

  override _final(cb: (e?: Error | null) => void): void {
    try {
      this.scanner.end();
    } catch (e) {
      return cb(e as Error);
    }
    Promise.all(this.io).then(() => cb(this.ioError), cb);
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    // A scan stopped mid-file must not leak its descriptor.
    for (const fh of this.open) fh.then((h) => h.close()).catch(() => {});
    cb(err);
  }

  private track(p: Promise<unknown>, bytes: number): void {
    const t = p.then(
      () => {
        this.io.delete(t);
        this.ioBytes -= bytes;
      },
      (e: Error) => {
        this.io.delete(t);
        this.ioBytes -= bytes;
        this.ioError ??= new LookoutError("LKT_ERR_INTERNAL", `${this.what}: scratch write failed: ${e.message}`, { cause: e, retryable: true });
      },
    );
    this.io.add(t);
    this.ioBytes += bytes;
    // Let writes overlap parsing, but not run more than a few MiB ahead of the disk.
    if (this.ioBytes > SCRATCH_INFLIGHT) this.pending = Promise.all(this.io);
  }

  /** A kept file written to scratch: data copied into blocks, written in order, then closed. */
  scratchFile(hostPath: string, done: (ready: Promise<void>) => void): TarBodySink {
    const opening = open(hostPath, "wx", 0o600);
    // Its failure reaches the scan through the write chain (ioError); a file whose writes never
    // started (the scan stopped first) must not leave an unhandled rejection that kills the process.
    opening.catch(() => {});
    this.open.add(opening);
    let chain: Promise<unknown> = opening;
    let block: Buffer | undefined;
    let fill = 0;
    const flush = () => {
      const b = block!;
      const n = fill;
      block = undefined;
      fill = 0;
      chain = chain.then(() => opening).then((fh) => fh.write(b, 0, n));
      chain.then(() => void (this.spare.length < SPARE_BLOCKS && this.spare.push(b)), () => {});
      this.track(chain, n);
    };
    return {
      data: (v) => {
        for (let off = 0; off < v.length; ) {
          block ??= this.spare.pop() ?? Buffer.allocUnsafeSlow(SCRATCH_BLOCK);
          const n = v.copy(block, fill, off);
          fill += n;
          off += n;
          if (fill === block.length) flush();
        }
      },
      end: () => {
        if (block && fill > 0) flush();
        const closing = chain.then(
          () => opening.then((fh) => fh.close()),
          (e: unknown) => opening.then((fh) => fh.close()).then(() => Promise.reject(e), () => Promise.reject(e)),
        );
        closing.then(
          () => this.open.delete(opening),
          () => this.open.delete(opening),
        );
        this.track(closing, 0);
        // Recorded now, in tar order (a later entry of the same path, a hardlink to it); the
        // bytes are on disk before scanLayer returns (_final waits for every write).
        // A failed write fails the scan through ioError; `ready` only reports it to listeners.
        const ready = closing.then(() => undefined);
        ready.catch(() => {});
        done(ready);
      },
    };
  }
}
