import { Transform, type TransformCallback, type Duplex } from "node:stream";
import { createGunzip, type ZlibOptions } from "node:zlib";
import { LookoutError } from "@lookout/domain";
import { layerCompression, type LayerCompression } from "../media-types.js";
import { GUNZIP_CHUNK } from "./worker-pool.js";
import { WorkerDecoder, type WorkerDecoderOptions } from "./worker-decoder.js";

export { GUNZIP_CHUNK };
/** Read size for file-backed blobs. */
export const READ_CHUNK = 1 << 20;

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

function startsWith(buf: Buffer, magic: number[]): boolean {
  return magic.every((b, i) => buf[i] === b);
}

/** What the first bytes of a blob say it is. */
export function sniffCompression(head: Buffer): LayerCompression | "unknown" {
  if (startsWith(head, GZIP_MAGIC)) return "gzip";
  if (startsWith(head, ZSTD_MAGIC)) return "zstd";
  // ustar/gnu tar magic at 257; an empty layer may be 1024 zero bytes.
  if (head.length >= 262 && head.subarray(257, 262).toString("latin1") === "ustar") return "none";
  if (head.length > 0 && head.every((b) => b === 0)) return "none";
  return "unknown";
}

/**
 * Holds the first bytes until it can check them against the declared compression; then, when
 * `gather` is set, merges small chunks (64 KiB from a socket) into ~1 MiB writes: every write
 * into zlib is a round trip to the thread pool, and 16× fewer of them made the registry path
 * as fast as the file path.
 */
class MagicCheck extends Transform {
  private head: Buffer[] = [];
  private headLen = 0;
  private checked = false;

  constructor(
    private readonly declared: LayerCompression,
    private readonly what: string,
    private readonly gather: number,
  ) {
    super({ highWaterMark: READ_CHUNK });
  }

  private check(): Error | undefined {
    this.checked = true;
    const head = Buffer.concat(this.head);
    const seen = sniffCompression(head);
    if (head.length === 0 || seen === this.declared) return undefined;
    return new LookoutError("LKT_ERR_LAYER_CORRUPT", `${this.what}: declared ${this.declared} but content looks like ${seen}`);
  }

  private gathered(): Buffer {
    const all = this.head.length === 1 ? this.head[0]! : Buffer.concat(this.head, this.headLen);
    this.head = [];
    this.headLen = 0;
    return all;
  }

  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    if (this.checked && this.headLen === 0 && chunk.length >= this.gather) return cb(null, chunk);
    this.head.push(chunk);
    this.headLen += chunk.length;
    if (!this.checked) {
      if (this.headLen < 512) return cb();
      const err = this.check();
      if (err) return cb(err);
    }
    if (this.headLen < this.gather) return cb();
    cb(null, this.gathered());
  }

  override _flush(cb: TransformCallback): void {
    if (!this.checked) {
      const err = this.check();
      if (err) return cb(err);
    }
    if (this.headLen > 0) this.push(this.gathered());
    cb();
  }
}

/**
 * The transforms that turn a raw layer blob into tar bytes: magic check, then the decompressor
 * the media type names. Unknown media types give LKT_ERR_LAYER_MEDIA_TYPE. zstd is always
 * decompressed on a worker; gzip with `worker`. For worker decoders, `lend` (chunks come back
 * through `recycle`) and `algorithm` (hash the input too) as in WorkerDecoderOptions.
 */
export function layerDecoders(mediaType: string, what: string, opts: LayerDecoderOptions = {}): Duplex[] {
  const declared = layerCompression(mediaType);
  if (declared === undefined) throw new LookoutError("LKT_ERR_LAYER_MEDIA_TYPE", `${what}: media type "${mediaType.slice(0, 120)}" is not a layer type`);
  const check = new MagicCheck(declared, what, declared === "gzip" ? READ_CHUNK : 0);
  const onWorker = { lend: opts.lend ?? false, ...(opts.algorithm ? { algorithm: opts.algorithm } : {}) };
  if (declared === "gzip" && opts.worker) return [check, new WorkerDecoder("gzip", onWorker)];
  if (declared === "gzip") {
    // A few MiB of input buffer lets hashing the next chunk overlap inflating this one.
    const opts = { chunkSize: GUNZIP_CHUNK, writableHighWaterMark: 4 << 20 } as ZlibOptions;
    return [check, createGunzip(opts)];
  }
  if (declared === "zstd") return [check, new WorkerDecoder("zstd", onWorker)];
  return [check];
}

export interface LayerDecoderOptions extends WorkerDecoderOptions {
  /** gzip on a worker thread too (worth it for big blobs; small ones pay the round trips). */
  worker?: boolean;
}

/** Map a decoder/tar failure to a typed error; typed errors pass through. */
export function asLayerError(e: unknown, what: string): LookoutError {
  if (e instanceof LookoutError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new LookoutError("LKT_ERR_LAYER_CORRUPT", `${what}: ${msg}`, { cause: e });
}
