import { open } from "node:fs/promises";
import { LookoutError } from "@lookout/domain";

/**
 * Positional reads over a kept database file: rpm databases are page-addressed, so the
 * readers fetch only the pages they follow instead of loading the whole file.
 */
export interface RandomAccess {
  readonly size: number;
  /** Exactly `length` bytes at `offset`; throws LKT_ERR_PACKAGE_DB_INVALID past the end. */
  read(offset: number, length: number): Promise<Buffer>;
}

export function truncated(what: string): LookoutError {
  return new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `rpm: ${what}`);
}

/** Opens `hostPath`; the caller must `close()`. */
export async function openRandomAccess(hostPath: string): Promise<RandomAccess & { close(): Promise<void> }> {
  const fh = await open(hostPath, "r");
  const { size } = await fh.stat();
  return {
    size,
    async read(offset, length) {
      if (!Number.isSafeInteger(offset) || offset < 0 || length < 0 || offset + length > size) {
        throw truncated(`read of ${length} bytes at ${offset} beyond end of file (${size} bytes)`);
      }
      const buf = Buffer.alloc(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
        if (bytesRead === 0) throw truncated(`file shrank while reading at ${offset + got}`);
        got += bytesRead;
      }
      return buf;
    },
    close: () => fh.close(),
  };
}

/** In-memory RandomAccess, for tests and small blobs. */
export function bufferAccess(buf: Buffer): RandomAccess {
  return {
    size: buf.length,
    async read(offset, length) {
      if (offset < 0 || length < 0 || offset + length > buf.length) throw truncated(`read of ${length} bytes at ${offset} beyond end (${buf.length} bytes)`);
      return buf.subarray(offset, offset + length);
    },
  };
}
