import { open, type FileHandle } from "node:fs/promises";
import { LookoutError, type LayerFile, type SampledRange } from "@lookout/domain";

/** Reads by offset from a kept executable: a scratch file or the ranges a sample kept. */
export interface ByteReader {
  readonly size: number;
  /** Exactly `len` bytes at `off`; throws when the range leaves the file. */
  read(off: number, len: number, maxRead?: number): Promise<Buffer>;
  /** Up to `len` bytes at `off`, clamped to the end of the file. */
  readUpTo(off: number, len: number): Promise<Buffer>;
  close(): Promise<void>;
}

/** The reader for a kept file: its sampled ranges, else its scratch copy. */
export async function openReader(file: LayerFile, label: string): Promise<ByteReader> {
  return file.sampled ? new SampledReader(file.sampled, file.size, label) : RandomAccess.open(await file.hostPath(), label);
}

function outside(label: string, off: number, len: number): LookoutError {
  return new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `${label}: read of ${len} bytes at ${off} is outside the file`);
}

/**
 * Reads served from the ranges a sample kept. A read the ranges do not cover throws
 * LKT_ERR_SAMPLE_SHORT: the layer is then read again with the whole file.
 */
export class SampledReader implements ByteReader {
  constructor(
    private readonly ranges: readonly SampledRange[],
    readonly size: number,
    private readonly label: string,
  ) {}

  async read(off: number, len: number): Promise<Buffer> {
    if (!Number.isSafeInteger(off) || !Number.isSafeInteger(len) || off < 0 || len < 0 || off + len > this.size) throw outside(this.label, off, len);
    for (const r of this.ranges) {
      if (off >= r.offset && off + len <= r.offset + r.bytes.length) return r.bytes.subarray(off - r.offset, off - r.offset + len);
    }
    throw new LookoutError("LKT_ERR_SAMPLE_SHORT", `${this.label}: bytes ${off}+${len} were not kept`);
  }

  async readUpTo(off: number, len: number): Promise<Buffer> {
    if (off >= this.size || off < 0) return Buffer.alloc(0);
    return this.read(off, Math.min(len, this.size - off));
  }

  async close(): Promise<void> {}
}

/**
 * Bounded random reads from a kept file (binaries are read by offset, never whole). Every read
 * is clamped to the file and to `maxRead`; out-of-range requests throw a typed error.
 */
export class RandomAccess implements ByteReader {
  private constructor(
    private readonly fh: FileHandle,
    readonly size: number,
    private readonly label: string,
  ) {}

  static async open(hostPath: string, label: string): Promise<RandomAccess> {
    const fh = await open(hostPath, "r");
    try {
      const { size } = await fh.stat();
      return new RandomAccess(fh, size, label);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  /** Reads exactly `len` bytes at `off`; throws when the range leaves the file. */
  async read(off: number, len: number, maxRead = 16 * 1024 * 1024): Promise<Buffer> {
    if (!Number.isSafeInteger(off) || !Number.isSafeInteger(len) || off < 0 || len < 0 || off + len > this.size) {
      throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `${this.label}: read of ${len} bytes at ${off} is outside the file`);
    }
    if (len > maxRead) throw new LookoutError("LKT_ERR_ARCHIVE_LIMIT", `${this.label}: read of ${len} bytes is over the ${maxRead} byte cap`);
    const buf = Buffer.alloc(len);
    const { bytesRead } = await this.fh.read(buf, 0, len, off);
    return bytesRead === len ? buf : buf.subarray(0, bytesRead);
  }

  /** Reads up to `len` bytes at `off`, clamped to the end of the file. */
  async readUpTo(off: number, len: number): Promise<Buffer> {
    if (off >= this.size || off < 0) return Buffer.alloc(0);
    return this.read(off, Math.min(len, this.size - off));
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}
