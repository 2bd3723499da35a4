import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * A few long-lived worker threads for the CPU work of a layer that would otherwise share the
 * main thread with the tar parser: SHA-256 of the blob, zstd decompression (zstd-napi runs
 * synchronously on the calling thread) and, for big gzip blobs, gunzip with the digest in the
 * same pass. One lease = one stream; every message carries the
 * lease id so a late reply to a cancelled stream never reaches the next one.
 */

/** Input/output block size exchanged with workers. */
export const BLOCK = 1 << 20;
/** zlib output chunk: 256 KiB measured 2.1–2.8× faster than the 16 KiB default here. */
export const GUNZIP_CHUNK = 256 * 1024;
/** Idle workers kept (starting one costs ~30–250 ms on a busy machine). */
const MAX_IDLE = 4;
/** Idle workers that keep their rings (two layers decompress at once). */
const RING_KEEPERS = 2;

// Plain JavaScript: workers do not inherit a TypeScript loader under every runner (vitest).
// Bytes cross in shared rings of BLOCK-sized slots (messages carry slot numbers): transferring
// ArrayBuffers instead made every MiB a fresh external allocation on the receiving side, and
// with it a full GC on the main thread per ~64 MiB.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const zlib = require("node:zlib");
const BLOCK = workerData.block;
const GUNZIP_CHUNK = workerData.gunzipChunk;
const EMPTY = Buffer.alloc(0);
let binding;
let id = -1, mode = "", hash, dctx, gz = null, gzQueued = 0, parked = null, failed = null, inRing = null, outRing = null, free = [], inputs = [], ending = false, frameOpen = false, needDrain = false, out = null, outSlot = -1, outOff = 0;
const post = (m) => parentPort.postMessage(m);
// A finished stream drops its decoder and rings: an idle worker should not hold a zstd window
// (up to 128 MiB) or a stream's buffers.
function done() {
  id = -1; dctx = undefined; hash = undefined; failed = null; inRing = outRing = null; free = []; inputs = []; out = null; parked = null;
  if (gz) { gz.destroy(); gz = null; }
}
function fail(e, internal) { post({ t: "error", id, message: String((e && e.message) || e), internal: internal === true }); done(); }
// Bad data while hashing too: keep hashing the input to its end and report the error with the
// digest, so that a blob that is not what its digest says fails as a digest mismatch, as when
// the digest was checked on its own before the decoder noticed.
function reject(e) {
  if (!hash) return fail(e);
  if (failed !== null) return;
  failed = String((e && e.message) || e);
  if (gz) { gz.destroy(); gz = null; }
  dctx = undefined; inputs = []; out = null; parked = null; needDrain = false;
  if (ending) report();
}
function report() { post({ t: "error", id, message: failed, internal: false, hex: hash.digest("hex") }); done(); }
function finish() { post({ t: "end", id, hex: hash ? hash.digest("hex") : undefined }); done(); }
function flush() {
  post({ t: "out", id, slot: outSlot, len: outOff });
  out = null;
  outOff = 0;
}
// Copy decoder output into free output slots; false (and the rest parked) when none is free.
function copyOut(c, off) {
  while (off < c.length) {
    if (!out) {
      if (free.length === 0) { parked = { c, off }; return false; }
      outSlot = free.pop();
      out = Buffer.from(outRing, outSlot * BLOCK, BLOCK);
      outOff = 0;
    }
    const n = c.copy(out, outOff, off);
    outOff += n;
    off += n;
    if (outOff === BLOCK) flush();
  }
  return true;
}
// zstd: decompress queued input into free output slots (the consumer hands slots back when it
// is done with their bytes). The decoder is called without input only to drain output it may
// still hold (the last call filled the slot): zstd fails a stream after a run of calls that
// make no progress.
function pump() {
  for (;;) {
    const head = inputs[0];
    if (!head && !needDrain) {
      if (out && outOff > 0) flush();
      if (ending) {
        if (frameOpen) reject("stream ended in the middle of a zstd frame");
        else finish();
      }
      return;
    }
    if (!out) {
      if (free.length === 0) return;
      outSlot = free.pop();
      out = Buffer.from(outRing, outSlot * BLOCK, BLOCK);
      outOff = 0;
    }
    const src = head ? head.view.subarray(head.off) : EMPTY;
    const space = BLOCK - outOff;
    let r;
    try { r = dctx.decompressStream(out.subarray(outOff), src); } catch (e) { return reject(e); }
    const produced = r[1], consumed = r[2];
    // Only a call that moved data says where the frame stands.
    if (produced > 0 || consumed > 0) frameOpen = r[0] !== 0;
    needDrain = produced === space;
    outOff += produced;
    if (head) {
      head.off += consumed;
      if (head.off === head.view.length) { inputs.shift(); post({ t: "consumed", id, slot: head.slot }); }
      else if (produced === 0 && consumed === 0) return reject("zstd decoder made no progress");
    }
    if (outOff === BLOCK) flush();
  }
}
// gzip: Node's zlib (inflating on the thread pool) with its output copied into the ring, so
// the main thread allocates nothing per chunk. Paused while no output slot is free.
function startGzip() {
  const mine = id;
  gz = zlib.createGunzip({ chunkSize: GUNZIP_CHUNK });
  gz.on("data", (c) => { if (id === mine && !copyOut(c, 0)) gz.pause(); });
  gz.on("end", () => { if (id !== mine) return; if (out && outOff > 0) flush(); finish(); });
  gz.on("error", (e) => { if (id === mine) reject(e); });
}
parentPort.on("message", (m) => {
  if (m.t === "start") {
    if (gz) { gz.destroy(); gz = null; }
    id = m.id; mode = m.mode; inRing = m.inRing; inputs = []; failed = null; ending = false; frameOpen = false; needDrain = false; out = null; outOff = 0; parked = null; gzQueued = 0;
    try {
      hash = m.algorithm ? createHash(m.algorithm) : undefined;
      if (mode === "zstd" || mode === "gzip") {
        outRing = m.outRing;
        free = [];
        for (let i = m.slots - 1; i >= 0; i--) free.push(i);
      }
      if (mode === "zstd") { binding ??= require(workerData.zstdBinding); dctx = new binding.DCtx(); }
      else if (mode === "gzip") startGzip();
    } catch (e) { fail(e, true); }
    return;
  }
  if (m.id !== id) return;
  if (mode === "hash") {
    if (m.t === "input") { hash.update(Buffer.from(inRing, m.slot * BLOCK, m.len)); post({ t: "consumed", id, slot: m.slot }); }
    else if (m.t === "end") { post({ t: "digest", id, hex: hash.digest("hex") }); done(); }
    return;
  }
  if (failed !== null) {
    if (m.t === "input") { hash.update(Buffer.from(inRing, m.slot * BLOCK, m.len)); post({ t: "consumed", id, slot: m.slot }); }
    else if (m.t === "end") report();
    return;
  }
  if (m.t === "credit") {
    for (const s of m.slots) free.push(s);
    if (mode === "gzip") {
      const p = parked;
      parked = null;
      if (p && copyOut(p.c, p.off)) gz.resume();
      return;
    }
  } else if (m.t === "input") {
    const view = Buffer.from(inRing, m.slot * BLOCK, m.len);
    // The digest of the compressed bytes, in the same pass that decompresses them.
    if (hash) hash.update(view);
    if (mode === "gzip") {
      const mine = id;
      gzQueued++;
      // zlib has read the slot once its write callback runs; a partly filled output slot goes
      // out when no input is left, so the consumer never waits on bytes already inflated.
      gz.write(view, () => {
        if (id !== mine) return;
        post({ t: "consumed", id, slot: m.slot });
        if (--gzQueued === 0 && !parked && out && outOff > 0) flush();
      });
      return;
    }
    inputs.push({ view, off: 0, slot: m.slot });
  } else if (m.t === "end") {
    ending = true;
    if (mode === "gzip") { gz.end(); return; }
  }
  pump();
});
`;

export type FromWorker =
  | { t: "out"; id: number; slot: number; len: number }
  | { t: "consumed"; id: number; slot: number }
  /** `hex`: digest of the compressed input, when the stream was started with an algorithm. */
  | { t: "end"; id: number; hex?: string }
  | { t: "digest"; id: number; hex: string }
  /** `internal`: the worker could not set up (not the data's fault). `hex`: see "end". */
  | { t: "error"; id: number; message: string; internal: boolean; hex?: string };

interface PooledWorker {
  worker: Worker;
  lease: Lease | undefined;
  broken: boolean;
  /**
   * The worker's rings, made on first use and kept with it: a fresh SharedArrayBuffer per
   * stream cost page faults on every first touch. Only the current lease's stream writes them
   * (a released stream's sender is abandoned, its late messages dropped by lease id).
   */
  inRing?: SharedArrayBuffer;
  outRing?: SharedArrayBuffer;
}

/** Input ring slots: the hash keeps 8 MiB on its way, zstd 4 MiB. */
export const IN_SLOTS = 8;
/** Decoder output ring slots: how far decompression may run ahead of the consumer (16 MiB). */
export const OUT_SLOTS = 16;

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
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { zstdBinding, block: BLOCK, gunzipChunk: GUNZIP_CHUNK } });
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

  readonly inRing: SharedArrayBuffer;
  /** Only for decoder leases. */
  readonly outRing: SharedArrayBuffer | undefined;

  constructor(
    private readonly pw: PooledWorker,
    readonly handlers: LeaseHandlers,
    start: { mode: "hash" | "zstd" | "gzip" } & Record<string, unknown>,
  ) {
    pw.lease = this;
    pw.worker.ref();
    this.inRing = pw.inRing ??= new SharedArrayBuffer(IN_SLOTS * BLOCK);
    this.outRing = start.mode !== "hash" ? (pw.outRing ??= new SharedArrayBuffer(OUT_SLOTS * BLOCK)) : undefined;
    pw.worker.postMessage({ ...start, t: "start", id: this.id, inRing: this.inRing, outRing: this.outRing, slots: OUT_SLOTS });
  }

  post(m: Record<string, unknown>): void {
    if (!this.released) this.pw.worker.postMessage({ ...m, id: this.id });
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
      // Rings are up to 24 MiB a worker: only the idle workers picked next (LIFO) keep them.
      for (let i = 0; i < idle.length - RING_KEEPERS; i++) idle[i]!.inRing = idle[i]!.outRing = undefined;
    } else {
      pw.broken = true;
      void pw.worker.terminate();
    }
  }
}

export function lease(
  handlers: LeaseHandlers,
  /** `algorithm` on a decoder: also hash the compressed input (reported with "end"). */
  start: { mode: "hash"; algorithm: string } | { mode: "zstd" | "gzip"; algorithm?: string },
): Lease {
  return new Lease(idle.pop() ?? spawn(), handlers, start);
}

/**
 * Copies incoming bytes into the slots of a shared input ring; a slot is reused once the worker
 * says it is done with it. The caller's chunks may share memory with other views, so they are
 * never handed over themselves. `write`'s callback waits while every slot is out.
 */
export class BlockSender {
  private readonly ring: SharedArrayBuffer;
  private readonly free: number[] = [];
  private block: Buffer | undefined;
  private slot = -1;
  private len = 0;
  private pend: { chunk: Buffer; off: number; cb: () => void } | undefined;
  private abandoned = false;

  constructor(
    private readonly lease: Lease,
    slots: number,
  ) {
    this.ring = lease.inRing;
    for (let i = Math.min(slots, IN_SLOTS) - 1; i >= 0; i--) this.free.push(i);
  }

  write(chunk: Buffer, cb: () => void): void {
    // Abandoned: the ring may already serve the worker's next stream; never touch it again.
    if (this.abandoned) return cb();
    this.pend = { chunk, off: 0, cb };
    this.drain();
  }

  private drain(): void {
    const p = this.pend;
    if (!p) return;
    while (p.off < p.chunk.length) {
      if (!this.block) {
        const s = this.free.pop();
        if (s === undefined) return; // resumed by consumed()
        this.slot = s;
        this.block = Buffer.from(this.ring, s * BLOCK, BLOCK);
        this.len = 0;
      }
      const n = p.chunk.copy(this.block, this.len, p.off);
      this.len += n;
      p.off += n;
      if (this.len === BLOCK) this.send();
    }
    this.pend = undefined;
    p.cb();
  }

  /** Send a partly filled slot. */
  send(): void {
    if (!this.block || this.len === 0) return;
    this.lease.post({ t: "input", slot: this.slot, len: this.len });
    this.block = undefined;
    this.len = 0;
  }

  /** The worker is done with a slot. */
  consumed(slot: number): void {
    if (this.abandoned) return;
    this.free.push(slot);
    this.drain();
  }

  /** The worker is gone: let a waiting writer go on (its failure is reported elsewhere). */
  abandon(): void {
    this.abandoned = true;
    const p = this.pend;
    this.pend = undefined;
    p?.cb();
  }
}
