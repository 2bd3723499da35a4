import { BlockSender, lease, type FromWorker, type Lease } from "./worker-pool.js";

/**
 * A hash computed on a pooled worker thread: the main thread only copies bytes into the 1 MiB
 * blocks (~10× cheaper than SHA-256 here) and keeps its time for the tar parser.
 */
export class WorkerHash {
  private readonly lease: Lease;
  private readonly input: BlockSender;
  private result: ((e: Error | undefined, hex?: string) => void) | undefined;
  private failure: Error | undefined;

  constructor(algorithm: string) {
    this.lease = lease({ message: (m) => this.onMessage(m), error: (e) => this.fail(e) }, { mode: "hash", algorithm });
    this.input = new BlockSender(this.lease, 8);
  }

  private onMessage(m: FromWorker): void {
    if (m.t === "consumed") this.input.consumed(m.slot);
    else if (m.t === "digest") {
      this.lease.release();
      this.input.abandon();
      this.result?.(undefined, m.hex);
    } else if (m.t === "error") this.fail(new Error(m.message));
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.lease.release();
    this.input.abandon();
    this.result?.(e);
  }

  /** `cb` runs once the worker has room for more (immediately, mostly). */
  update(chunk: Buffer, cb: () => void): void {
    if (this.failure) return cb();
    this.input.write(chunk, cb);
  }

  digest(cb: (e: Error | undefined, hex?: string) => void): void {
    if (this.failure) return cb(this.failure);
    this.result = cb;
    this.input.send();
    this.lease.post({ t: "end" });
  }

  release(): void {
    this.lease.release();
    this.input.abandon();
  }
}
