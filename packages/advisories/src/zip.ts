import { open, type FileHandle } from "node:fs/promises";
import { crc32, inflateRawSync } from "node:zlib";

/**
 * A minimal sequential zip reader for OSV dumps: the central directory is walked and every
 * entry's data read through two windowed buffers (a few large reads per MiB instead of several
 * small reads per entry, which is what kept a general-purpose reader waiting on the thread pool
 * for 100k-entry zips). Entries are inflated in one synchronous call with an output cap and
 * checked against the directory's size and CRC-32. Stored and deflated entries; ZIP64 sizes and
 * offsets. Memory: the two windows plus one entry, whatever the zip's size.
 */

export interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localOffset: number;
}

/** The archive itself cannot be read (no end record, bad directory): reading stops. */
export class ZipArchiveError extends Error {}

const WINDOW = 1 << 20;
const U32 = 0xffffffff;

/** Serves byte ranges of a file from one buffer refilled by large reads (a forward scan costs ~1 read per window). */
class Window {
  private buf = Buffer.alloc(0);
  private start = 0;
  constructor(private readonly fh: FileHandle, private readonly size: number, private readonly windowBytes: number) {}

  /** Bytes [pos, pos+len), valid until the next call. Throws when the file ends first. */
  async read(pos: number, len: number): Promise<Buffer> {
    if (pos >= this.start && pos + len <= this.start + this.buf.length) return this.buf.subarray(pos - this.start, pos - this.start + len);
    if (pos < 0 || pos + len > this.size) throw new Error(`range ${pos}+${len} is outside the file (${this.size} bytes)`);
    const want = Math.min(Math.max(len, this.windowBytes), this.size - pos);
    if (this.buf.length < want || this.buf.length > this.windowBytes) this.buf = Buffer.allocUnsafe(Math.max(want, Math.min(this.windowBytes, this.size)));
    let off = 0;
    while (off < want) {
      const { bytesRead } = await this.fh.read(this.buf, off, want - off, pos + off);
      if (bytesRead === 0) throw new Error("file shrank while being read");
      off += bytesRead;
    }
    this.start = pos;
    this.buf = this.buf.subarray(0, want);
    return this.buf.subarray(0, len);
  }
}

export class ZipReader {
  private constructor(
    private readonly fh: FileHandle,
    private readonly size: number,
    private readonly cdOffset: number,
    private readonly cdSize: number,
    readonly entryCount: number,
  ) {}

  static async open(path: string): Promise<ZipReader> {
    const fh = await open(path, "r");
    try {
      const { size } = await fh.stat();
      const tailLen = Math.min(size, 22 + 0xffff);
      const tail = await new Window(fh, size, tailLen).read(size - tailLen, tailLen);
      let at = -1;
      for (let i = tail.length - 22; i >= 0; i--) {
        if (tail.readUInt32LE(i) === 0x06054b50 && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
          at = i;
          break;
        }
      }
      if (at < 0) throw new ZipArchiveError("end of central directory record signature not found");
      let entries = tail.readUInt16LE(at + 10);
      let cdSize = tail.readUInt32LE(at + 12);
      let cdOffset = tail.readUInt32LE(at + 16);
      if (entries === 0xffff || cdSize === U32 || cdOffset === U32) {
        const locAt = at - 20;
        if (locAt < 0 || tail.readUInt32LE(locAt) !== 0x07064b50) throw new ZipArchiveError("ZIP64 end of central directory locator not found");
        const eocd64 = Number(tail.readBigUInt64LE(locAt + 8));
        const rec = await new Window(fh, size, 56).read(eocd64, 56).catch(() => undefined);
        if (!rec || rec.readUInt32LE(0) !== 0x06064b50) throw new ZipArchiveError("ZIP64 end of central directory record not found");
        entries = Number(rec.readBigUInt64LE(32));
        cdSize = Number(rec.readBigUInt64LE(40));
        cdOffset = Number(rec.readBigUInt64LE(48));
      }
      if (cdOffset + cdSize > size) throw new ZipArchiveError("central directory extends past the end of the file");
      return new ZipReader(fh, size, cdOffset, cdSize, entries);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  /** Directory entries in order. A malformed directory throws ZipArchiveError (after the entries before it). */
  async *entries(): AsyncGenerator<ZipEntry> {
    const cd = new Window(this.fh, this.size, WINDOW);
    const end = this.cdOffset + this.cdSize;
    let pos = this.cdOffset;
    for (let n = 0; n < this.entryCount; n++) {
      if (pos + 46 > end) throw new ZipArchiveError(`central directory ends after ${n} of ${this.entryCount} entries`);
      const h = await cd.read(pos, 46);
      if (h.readUInt32LE(0) !== 0x02014b50) throw new ZipArchiveError(`invalid central directory file header signature at entry ${n}`);
      const flags = h.readUInt16LE(8);
      const method = h.readUInt16LE(10);
      const crc = h.readUInt32LE(16);
      let compressedSize = h.readUInt32LE(20);
      let uncompressedSize = h.readUInt32LE(24);
      const nameLen = h.readUInt16LE(28);
      const extraLen = h.readUInt16LE(30);
      const commentLen = h.readUInt16LE(32);
      let localOffset = h.readUInt32LE(42);
      const varLen = nameLen + extraLen + commentLen;
      if (pos + 46 + varLen > end) throw new ZipArchiveError(`central directory entry ${n} overruns the directory`);
      const v = await cd.read(pos + 46, varLen);
      const name = v.toString(flags & 0x800 ? "utf8" : "latin1", 0, nameLen);
      if (compressedSize === U32 || uncompressedSize === U32 || localOffset === U32) {
        // ZIP64 extended information: only the fields whose 32-bit value is saturated, in this order.
        for (let e = nameLen; e + 4 <= nameLen + extraLen;) {
          const id = v.readUInt16LE(e);
          const len = v.readUInt16LE(e + 2);
          if (id === 0x0001) {
            let f = e + 4;
            const next = (): number => {
              if (f + 8 > e + 4 + len) throw new ZipArchiveError(`entry ${name}: ZIP64 extra field too short`);
              const x = Number(v.readBigUInt64LE(f));
              f += 8;
              return x;
            };
            if (uncompressedSize === U32) uncompressedSize = next();
            if (compressedSize === U32) compressedSize = next();
            if (localOffset === U32) localOffset = next();
            break;
          }
          e += 4 + len;
        }
      }
      pos += 46 + varLen;
      yield { name, flags, method, crc32: crc, compressedSize, uncompressedSize, localOffset };
    }
  }

  /** A data reader for `read`; one per scan, so its window moves forward with the entries. */
  dataWindow(): Window {
    return new Window(this.fh, this.size, WINDOW);
  }

  /**
   * An entry's content as text, refusing more than `cap` bytes whatever the headers claim.
   * Throws a plain Error (this entry is bad, the next may be fine).
   */
  async read(w: Window, e: ZipEntry, cap: number): Promise<string> {
    if (e.flags & 1) throw new Error("encrypted entry");
    if (e.method !== 0 && e.method !== 8) throw new Error(`unsupported compression method ${e.method}`);
    if (e.uncompressedSize > cap) throw new Error(`record larger than ${cap} bytes`);
    // Deflate expands incompressible data by well under 1%: more than that cannot fit the cap.
    if (e.compressedSize > cap + (cap >> 6) + 1024) throw new Error(`record larger than ${cap} bytes`);
    const lh = await w.read(e.localOffset, 30);
    if (lh.readUInt32LE(0) !== 0x04034b50) throw new Error("invalid local file header signature");
    const dataAt = e.localOffset + 30 + lh.readUInt16LE(26) + lh.readUInt16LE(28);
    const raw = await w.read(dataAt, e.compressedSize);
    let out: Buffer;
    if (e.method === 0) {
      if (e.compressedSize !== e.uncompressedSize) throw new Error("stored entry's sizes differ");
      out = raw;
    } else {
      try {
        out = inflateRawSync(raw, { maxOutputLength: cap + 1 });
      } catch (err) {
        if (err instanceof RangeError) throw new Error(`record larger than ${cap} bytes`);
        throw err;
      }
      if (out.length > cap) throw new Error(`record larger than ${cap} bytes`);
    }
    if (out.length !== e.uncompressedSize) throw new Error(`size ${out.length} does not match the directory's ${e.uncompressedSize}`);
    if ((crc32(out) >>> 0) !== (e.crc32 >>> 0)) throw new Error("CRC-32 mismatch");
    return out.toString("utf8");
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}
