import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * A few long-lived worker threads for the CPU work of a layer that would otherwise share the
 * main thread with the tar parser: SHA-256 of the blob and zstd decompression (zstd-napi runs
 * synchronously on the calling thread). One lease = one stream; every message carries the
 * lease id so a late reply to a cancelled stream never reaches the next one.
 */

/** Input/output block size exchanged with workers. */
export const BLOCK = 1 << 20;
/** Idle workers kept (starting one costs ~30–250 ms on a busy machine). */
const MAX_IDLE = 4;

// Plain JavaScript: workers do not inherit a TypeScript loader under every runner (vitest).
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const BLOCK = workerData.block;
const EMPTY = Buffer.alloc(0);
let binding;
let id = -1, mode = "", hash, dctx, credits = 0, inputs = [], ending = false, frameOpen = false, needDrain = false, out = null, outOff = 0;
const post = (m, transfer) => parentPort.postMessage(m, transfer);
// A finished stream drops its decoder: an idle worker should not hold a zstd window (up to 128 MiB).
function fail(e, internal) { post({ t: "error", id, message: String((e && e.message) || e), internal: internal === true }); id = -1; dctx = undefined; }
function flush() {
  post({ t: "out", id, buf: out.buffer, len: outOff }, [out.buffer]);
  credits--;
  out = null;
  outOff = 0;
}
// zstd: decompress queued input while the consumer has granted output credits. The decoder is
// called without input only to drain output it may still hold (the last call filled the
// buffer): zstd fails a stream after a run of calls that make no progress.
function pump() {
  while (credits > 0) {
    const head = inputs[0];
    if (!head && !needDrain) {
      if (out && outOff > 0) flush();
      if (ending) {
        if (frameOpen) fail("stream ended in the middle of a zstd frame");
        else { post({ t: "end", id }); id = -1; dctx = undefined; }
      }
      return;
    }
    const src = head ? head.view.subarray(head.off) : EMPTY;
    if (!out) { out = Buffer.allocUnsafeSlow(BLOCK); outOff = 0; }
    const space = BLOCK - outOff;
    let r;
    try { r = dctx.decompressStream(out.subarray(outOff), src); } catch (e) { return fail(e); }
    const produced = r[1], consumed = r[2];
    // Only a call that moved data says where the frame stands.
    if (produced > 0 || consumed > 0) frameOpen = r[0] !== 0;
    needDrain = produced === space;
    outOff += produced;
    if (head) {
      head.off += consumed;
      if (head.off === head.view.length) { inputs.shift(); post({ t: "consumed", id, buf: head.view.buffer }, [head.view.buffer]); }
      else if (produced === 0 && consumed === 0) return fail("zstd decoder made no progress");
    }
    if (outOff === BLOCK) flush();
  }
}
parentPort.on("message", (m) => {
  if (m.t === "start") {
    id = m.id; mode = m.mode; inputs = []; ending = false; frameOpen = false; needDrain = false; out = null; outOff = 0;
    try {
      if (mode === "hash") hash = createHash(m.algorithm);
      else { binding ??= require(workerData.zstdBinding); dctx = new binding.DCtx(); credits = m.credits; }
    } catch (e) { fail(e, true); }
    return;
  }
  if (m.id !== id) return;
  if (mode === "hash") {
    if (m.t === "input") { hash.update(Buffer.from(m.buf, 0, m.len)); post({ t: "consumed", id, buf: m.buf }, [m.buf]); }
    else if (m.t === "end") { post({ t: "digest", id, hex: hash.digest("hex") }); id = -1; }
    return;
  }
  if (m.t === "input") inputs.push({ view: Buffer.from(m.buf, 0, m.len), off: 0 });
  else if (m.t === "credit") credits += m.n;
  else if (m.t === "end") ending = true;
  pump();
});
`;

export type FromWorker =
  | { t: "out"; id: number; buf: ArrayBuffer; len: number }
  | { t: "consumed"; id: number; buf: ArrayBuffer }
  | { t: "end"; id: number }
  | { t: "digest"; id: number; hex: string }
  /** `internal`: the worker could not set up (not the data's fault). */
  | { t: "error"; id: number; message: string; internal: boolean };

interface PooledWorker {
  worker: Worker;
  lease: Lease | undefined;
  broken: boolean;
}

export interface LeaseHandlers {
  message(m: FromWorker): void;
  /** The worker died (crash, exit); the lease is over. */
  error(e: Error): void;
}

const idle: PooledWorker[] = [];
let nextId = 1;
let zstdBinding: string | undefined;

function spawn(): PooledWorker {
  zstdBinding ??= createRequire(import.meta.url).resolve("zstd-napi/binding");
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { zstdBinding, block: BLOCK } });
  const pw: PooledWorker = { worker, lease: undefined, broken: false };
  worker.on("message", (m: FromWorker) => {
    if (pw.lease && m.id === pw.lease.id) pw.lease.handlers.message(m);
  });
  const fail = (e: Error) => {
    if (pw.broken) return;
    pw.broken = true;
    const i = idle.indexOf(pw);
    if (i >= 0) idle.splice(i, 1);
    pw.lease?.handlers.error(e);
  };
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`layer worker exited (${code})`)));
  return pw;
}

/** One stream's use of a worker; `release` returns it to the pool (a late reply is ignored). */
export class Lease {
  readonly id = nextId++;
  private released = false;

  constructor(
    private readonly pw: PooledWorker,
    readonly handlers: LeaseHandlers,
    start: Record<string, unknown>,
  ) {
    pw.lease = this;
    pw.worker.ref();
    pw.worker.postMessage({ ...start, t: "start", id: this.id });
  }

  post(m: Record<string, unknown>, transfer?: ArrayBuffer[]): void {
    if (!this.released) this.pw.worker.postMessage({ ...m, id: this.id }, transfer);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    const pw = this.pw;
    pw.lease = undefined;
    if (pw.broken) return;
    if (idle.length < MAX_IDLE) {
      // Idle workers must not keep the process alive.
      pw.worker.unref();
      idle.push(pw);
    } else {
      pw.broken = true;
      void pw.worker.terminate();
    }
  }
}

export function lease(handlers: LeaseHandlers, start: { mode: "hash"; algorithm: string } | { mode: "zstd"; credits: number }): Lease {
  return new Lease(idle.pop() ?? spawn(), handlers, start);
}

/**
 * Copies incoming bytes into BLOCK-sized transferable buffers (reused once the worker hands
 * them back): the caller's chunks may share memory with other views, so they are never
 * transferred themselves. `write`'s callback waits while `maxInflight` blocks are out.
 */
export class BlockSender {
  private spare: ArrayBuffer[] = [];
  private block: Buffer | undefined;
  private len = 0;
  private inflight = 0;
  private waiting: (() => void) | undefined;

  constructor(
    private readonly lease: Lease,
    private readonly maxInflight: number,
  ) {}

  write(chunk: Buffer, cb: () => void): void {
    for (let off = 0; off < chunk.length; ) {
      if (!this.block) {
        const ab = this.spare.pop();
        this.block = ab ? Buffer.from(ab) : Buffer.allocUnsafeSlow(BLOCK);
      }
      const n = chunk.copy(this.block, this.len, off);
      this.len += n;
      off += n;
      if (this.len === BLOCK) this.send();
    }
    if (this.inflight >= this.maxInflight) this.waiting = cb;
    else cb();
  }

  /** Send a partly filled block. */
  send(): void {
    if (!this.block || this.len === 0) return;
    const buf = this.block.buffer as ArrayBuffer;
    this.lease.post({ t: "input", buf, len: this.len }, [buf]);
    this.inflight++;
    this.block = undefined;
    this.len = 0;
  }

  /** The worker is done with a block. */
  consumed(buf: ArrayBuffer): void {
    this.inflight--;
    this.spare.push(buf);
    if (this.waiting && this.inflight < this.maxInflight) {
      const cb = this.waiting;
      this.waiting = undefined;
      cb();
    }
  }
}
