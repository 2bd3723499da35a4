import { open, type FileHandle } from "node:fs/promises";
import { LookoutError } from "@lookout/domain";

/**
 * Bounded random reads from a kept file (binaries are read by offset, never whole). Every read
 * is clamped to the file and to `maxRead`; out-of-range requests throw a typed error.
 */
export class RandomAccess {
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
