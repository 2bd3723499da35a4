import { Transform, type TransformCallback } from "node:stream";

const BLOCK = 512;
const END = Buffer.alloc(2 * BLOCK);

/**
 * Passes tar bytes through while following the archive's framing (header, then the entry's data
 * rounded up to 512 bytes), and completes an archive that stops cleanly at an entry's end but
 * lacks the last entry's padding and/or the two zero end-of-archive blocks. umoci 0.4 (Debian
 * 12's) and stacker write such layers (opencontainers/umoci#436); Go's archive/tar, and so
 * Docker and containerd, read them. A stream that stops inside a header or inside an entry's
 * data is left as it is, so the parser still reports it truncated: only padding and the end
 * marker are ever supplied, never content. (A blob's digest was verified before this point.)
 */
export class TarEndCompleter extends Transform {
  /** Bytes of the current header block collected so far. */
  private header = Buffer.alloc(BLOCK);
  private headerFill = 0;
  /** Data bytes of the current entry still to come, then its padding. */
  private dataLeft = 0;
  private padLeft = 0;
  /** An all-zero block was seen where a header belongs (the end marker has begun). */
  private ended = false;

  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    if (!this.ended) this.follow(chunk);
    cb(null, chunk);
  }

  private follow(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length && !this.ended) {
      if (this.dataLeft > 0 || this.padLeft > 0) {
        const take = Math.min(chunk.length - i, this.dataLeft + this.padLeft);
        const fromData = Math.min(take, this.dataLeft);
        this.dataLeft -= fromData;
        this.padLeft -= take - fromData;
        i += take;
        continue;
      }
      const take = Math.min(chunk.length - i, BLOCK - this.headerFill);
      chunk.copy(this.header, this.headerFill, i, i + take);
      this.headerFill += take;
      i += take;
      if (this.headerFill < BLOCK) break;
      this.headerFill = 0;
      if (this.header.every((b) => b === 0)) {
        this.ended = true; // the end marker (whatever follows is the parser's business)
        break;
      }
      const size = entrySize(this.header);
      if (size === undefined) {
        this.ended = true; // not a header we can frame: let the parser judge the rest
        break;
      }
      this.dataLeft = size;
      this.padLeft = (BLOCK - (size % BLOCK)) % BLOCK;
    }
  }

  override _flush(cb: TransformCallback): void {
    // Ended cleanly after an entry's data (padding missing or complete) with no end marker.
    if (!this.ended && this.headerFill === 0 && this.dataLeft === 0) {
      this.push(Buffer.alloc(this.padLeft));
      this.push(END);
    }
    cb();
  }
}

/** The size field (octal, or GNU base-256 for large values); undefined when unreadable. */
function entrySize(h: Buffer): number | undefined {
  const f = h.subarray(124, 136);
  if (f[0]! & 0x80) {
    let n = f[0]! & 0x7f;
    for (let i = 1; i < f.length; i++) n = n * 256 + f[i]!;
    return Number.isSafeInteger(n) ? n : undefined;
  }
  const s = f.toString("latin1").replace(/[\0 ]+$/, "").trim();
  if (s === "") return 0;
  if (!/^[0-7]+$/.test(s)) return undefined;
  return parseInt(s, 8);
}
