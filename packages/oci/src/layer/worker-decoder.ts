import { Duplex } from "node:stream";
import { LookoutError } from "@lookout/domain";
import { BLOCK, BlockSender, lease, type FromWorker, type Lease } from "./worker-pool.js";

/** Slots handed back per message (fewer messages; the worker holds the other 12+). */
const RETURN_BATCH = 4;

export interface WorkerDecoderOptions {
  /**
   * Push views onto the shared output ring instead of copies. The consumer must hand every
   * chunk back with `recycle` once it no longer reads it (scanLayer's tar reader does, chunk by
   * chunk); a chunk not handed back keeps its slot, and the worker stops at 16 such.
   */
  lend?: boolean;
  /** Also hash the compressed input in the same pass (see `digest`). */
  algorithm?: string;
}

/**
 * zstd or gzip decompression on a pooled worker thread, so that it overlaps the tar parser
 * instead of taking turns with it on the main thread (and, with `algorithm`, the digest of the
 * compressed bytes in the same pass: one copy of the input crosses instead of two). Input is copied into 4 slots of
 * the worker's shared input ring, output comes back in its shared 16-slot ring of 1 MiB: a decompression bomb never
 * runs more than 16 MiB ahead of the consumer, and in lending mode no buffer is allocated per
 * chunk at all (fresh 1 MiB buffers per chunk cost the main thread a full GC per ~64 MiB).
 * Errors are plain Errors (the caller types them).
 */
export class WorkerDecoder extends Duplex {
  private readonly lease: Lease;
  private readonly input: BlockSender;
  private readonly out: SharedArrayBuffer;
  private readonly lend: boolean;
  private readonly died: (e: Error) => void;
  private returned: number[] = [];
  private finalCb: ((e?: Error | null) => void) | undefined;
  private hex: string | undefined;
  /** Slots pushed as views and not handed back yet. */
  private lent = 0;
  private ended = false;

  constructor(kind: "zstd" | "gzip", opts: WorkerDecoderOptions = {}) {
    super({ readableHighWaterMark: 4 * BLOCK, writableHighWaterMark: BLOCK });
    this.lend = opts.lend ?? false;
    // A dead worker is our failure, not the layer's: typed as internal and retryable.
    this.died = (e) => this.destroy(new LookoutError("LKT_ERR_INTERNAL", `${kind} worker: ${e.message}`, { cause: e, retryable: true }));
    this.lease = lease({ message: (m) => this.onMessage(m), error: this.died }, { mode: kind, ...(opts.algorithm ? { algorithm: opts.algorithm } : {}) });
    this.out = this.lease.outRing!;
    this.input = new BlockSender(this.lease, 4);
  }

  /**
   * Hex digest of all input, once the stream has ended (when started with an algorithm) — also
   * when the data turned out bad: the worker then hashes on to the end of the input.
   */
  digest(): string | undefined {
    return this.hex;
  }

  /** Hand a pushed chunk's slot back to the worker (lending mode); other buffers are ignored. */
  recycle(chunk: Buffer): void {
    if (chunk.buffer !== this.out) return;
    this.lent--;
    this.giveBack(chunk.byteOffset / BLOCK);
    if (this.ended && this.lent === 0) this.release();
  }

  /**
   * Give the worker back to the pool. In lending mode that waits until the consumer has handed
   * back every view (or stopped): the worker's rings go to its next stream, and a consumer
   * still reading views after the end of the output would read that stream's bytes.
   */
  release(): void {
    this.lease.release();
    this.input.abandon();
  }

  private giveBack(slot: number): void {
    this.returned.push(slot);
    if (this.returned.length >= RETURN_BATCH) this.sendReturned();
  }

  private sendReturned(): void {
    if (this.returned.length === 0) return;
    this.lease.post({ t: "credit", slots: this.returned });
    this.returned = [];
  }

  private onMessage(m: FromWorker): void {
    if (this.destroyed) return;
    switch (m.t) {
      case "out": {
        const view = Buffer.from(this.out, m.slot * BLOCK, m.len);
        if (this.lend) {
          this.lent++;
          this.push(view);
        } else {
          this.push(Buffer.from(view));
          this.giveBack(m.slot);
        }
        break;
      }
      case "consumed":
        this.input.consumed(m.slot);
        break;
      case "end":
        this.hex = m.hex;
        this.ended = true;
        this.input.abandon();
        if (!this.lend || this.lent === 0) this.release();
        this.push(null);
        this.finalCb?.();
        break;
      case "error":
        this.hex = m.hex;
        if (m.internal) this.died(new Error(m.message));
        else this.destroy(new Error(m.message));
        break;
      default:
        break;
    }
  }

  override _write(chunk: Buffer, _e: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.input.write(chunk, cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.input.send();
    this.finalCb = cb;
    this.lease.post({ t: "end" });
  }

  override _read(): void {
    // The consumer wants more: whatever it handed back goes now, batch or not.
    this.sendReturned();
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    // Ending cleanly (auto-destroy) while views are still queued downstream: the last
    // recycle, or the consumer's own release() once it stopped, gives the worker back.
    if (err || !this.lend || this.lent === 0) this.release();
    cb(err);
  }
}
