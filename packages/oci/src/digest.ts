import { createHash, timingSafeEqual } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { DIGEST_RE, LookoutError } from "@lookout/domain";
import { WorkerHash } from "./layer/worker-hash.js";

/** Blobs at least this big are hashed on a worker thread; smaller ones inline. */
export const WORKER_HASH_MIN = 4 << 20;

/** Throws LKT_ERR_DIGEST_INVALID unless `d` is a sha256/sha512 digest string. */
export function assertDigest(d: string): string {
  if (!DIGEST_RE.test(d)) throw new LookoutError("LKT_ERR_DIGEST_INVALID", `malformed digest "${d.slice(0, 80)}"`);
  return d;
}

function algorithmOf(digest: string): "sha256" | "sha512" {
  return digest.startsWith("sha512:") ? "sha512" : "sha256";
}

/** Timing-safe comparison of two digest strings (equal length check first leaks only the length). */
export function digestEquals(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

export function sha256Digest(buf: Uint8Array): string {
  return `sha256:${createHash("sha256").update(buf).digest("hex")}`;
}

/** Verify a whole buffer against its expected digest. */
export function verifyBuffer(buf: Uint8Array, expected: string, what: string): void {
  assertDigest(expected);
  const actual = `${algorithmOf(expected)}:${createHash(algorithmOf(expected)).update(buf).digest("hex")}`;
  if (!digestEquals(actual, expected)) {
    throw new LookoutError("LKT_ERR_DIGEST_MISMATCH", `${what}: content digest ${actual} does not match ${expected}`);
  }
}

/**
 * Pass-through that hashes what flows and, at the end, fails the stream with
 * LKT_ERR_DIGEST_MISMATCH when the digest (or the declared size) differs. Consumers must
 * treat everything they read as unverified until the stream ends cleanly — or, after
 * `offload`, until their own `settle` call returns.
 */
export class DigestVerifier extends Transform {
  private readonly hash;
  private readonly worker: WorkerHash | undefined;
  private bytes = 0;
  private offloaded = false;

  constructor(
    private readonly expected: string,
    private readonly expectedSize: number | undefined,
    private readonly what: string,
  ) {
    super({ highWaterMark: 1 << 20 });
    assertDigest(expected);
    // Bytes may flow (and fail) before the consumer attaches its pipeline; the error is kept in
    // `errored` and seen by pipeline()/finished(), so an early one must not crash the process.
    this.on("error", () => {});
    const big = expectedSize !== undefined && expectedSize >= WORKER_HASH_MIN;
    this.worker = big ? new WorkerHash(algorithmOf(expected)) : undefined;
    this.hash = big ? undefined : createHash(algorithmOf(expected));
  }

  /** The declared size, if any. */
  get declaredSize(): number | undefined {
    return this.expectedSize;
  }

  /**
   * Hand the hashing to the consumer, which hashes exactly the bytes it reads from this stream
   * in a pass it makes anyway (scanLayer's decoder worker) and then calls `settle`. Possible only
   * before any byte went through; returns the algorithm, or undefined when too late. From then
   * on this stream only counts bytes (the size cap still applies as they flow) and its end no
   * longer says the blob was verified: `settle` does.
   */
  offload(): "sha256" | "sha512" | undefined {
    if (this.bytes > 0 || this.offloaded || this.destroyed) return undefined;
    this.offloaded = true;
    this.worker?.release();
    return algorithmOf(this.expected);
  }

  /** After `offload`: the consumer's digest of every byte; throws LKT_ERR_DIGEST_MISMATCH. */
  settle(hex: string | undefined): void {
    if (!this.offloaded) throw new LookoutError("LKT_ERR_INTERNAL", `${this.what}: settle without offload`);
    if (hex === undefined) throw new LookoutError("LKT_ERR_INTERNAL", `${this.what}: no digest from the consumer`, { retryable: true });
    let err: Error | null | undefined;
    this.check(hex, (e) => (err = e));
    if (err) throw err;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.expectedSize !== undefined && this.bytes > this.expectedSize) {
      cb(new LookoutError("LKT_ERR_DIGEST_MISMATCH", `${this.what}: more than the declared ${this.expectedSize} bytes`));
      return;
    }
    if (this.offloaded) return cb(null, chunk);
    if (this.worker) {
      // Pass the chunk on now; the callback (more input) waits only if the worker falls behind.
      this.push(chunk);
      this.worker.update(chunk, () => cb());
      return;
    }
    this.hash!.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    if (this.offloaded) return cb();
    if (!this.worker) return this.check(this.hash!.digest("hex"), cb);
    this.worker.digest((e, hex) => (e ? cb(new LookoutError("LKT_ERR_INTERNAL", `${this.what}: hashing failed: ${e.message}`, { cause: e, retryable: true })) : this.check(hex!, cb)));
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    this.worker?.release();
    cb(err);
  }

  private check(hex: string, cb: TransformCallback): void {
    const actual = `${algorithmOf(this.expected)}:${hex}`;
    if (this.expectedSize !== undefined && this.bytes !== this.expectedSize) {
      cb(new LookoutError("LKT_ERR_DIGEST_MISMATCH", `${this.what}: ${this.bytes} bytes, declared ${this.expectedSize}`));
    } else if (!digestEquals(actual, this.expected)) {
      cb(new LookoutError("LKT_ERR_DIGEST_MISMATCH", `${this.what}: content digest ${actual} does not match ${this.expected}`));
    } else cb();
  }
}
