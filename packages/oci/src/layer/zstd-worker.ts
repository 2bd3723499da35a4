import { Duplex } from "node:stream";
import { LookoutError } from "@lookout/domain";
import { BLOCK, BlockSender, lease, type FromWorker, type Lease } from "./worker-pool.js";

/** Output buffers the worker may have on their way before it waits for the consumer. */
const CREDITS = 16;

/**
 * zstd decompression on a pooled worker thread, so that it overlaps the digest and the tar
 * parser instead of taking turns with them on the main thread. Output comes back as
 * transferred 1 MiB buffers (no copy), paced by credits: a decompression bomb never runs more
 * than a few MiB ahead of the consumer. Errors are plain Errors (the caller types them).
 */
export class ZstdWorkerStream extends Duplex {
  private readonly lease: Lease;
  private readonly input: BlockSender;
  private readonly died: (e: Error) => void;
  private owed = 0;
  private finalCb: ((e?: Error | null) => void) | undefined;

  constructor() {
    super({ readableHighWaterMark: 4 * BLOCK, writableHighWaterMark: BLOCK });
    // A dead worker is our failure, not the layer's: typed as internal and retryable.
    this.died = (e) => this.destroy(new LookoutError("LKT_ERR_INTERNAL", `zstd worker: ${e.message}`, { cause: e, retryable: true }));
    this.lease = lease({ message: (m) => this.onMessage(m), error: this.died }, { mode: "zstd", credits: CREDITS });
    this.input = new BlockSender(this.lease, 4);
  }

  private onMessage(m: FromWorker): void {
    if (this.destroyed) return;
    switch (m.t) {
      case "out":
        if (this.push(Buffer.from(m.buf, 0, m.len))) this.lease.post({ t: "credit", n: 1 });
        else this.owed++;
        break;
      case "consumed":
        this.input.consumed(m.buf);
        break;
      case "end":
        this.lease.release();
        this.push(null);
        this.finalCb?.();
        break;
      case "error":
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
    if (this.owed === 0) return;
    this.lease.post({ t: "credit", n: this.owed });
    this.owed = 0;
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.lease.release();
    cb(err);
  }
}
