import { LookoutError } from "@lookout/domain";

/**
 * A synchronous tar reader for layer scans. Unlike a stream-of-entry-streams parser it never
 * holds on to the caller's bytes: headers are copied into one 512-byte block, long names and
 * PAX records into a buffer of their own, and a kept entry's data is handed to its sink as views
 * that are only valid during the call. So once `write` returns (or its pending work settles),
 * the chunk may be reused — the decompressor's output buffers are recycled that way — and the
 * data of entries nobody wants is skipped by arithmetic, never sliced.
 *
 * Header decoding follows tar-stream 3 (the parser this replaces), so layers read as before:
 * ustar/GNU magic required, checksum checked, all-zero blocks skipped, GNU long names and PAX
 * path/linkpath/size applied, long headers over 4 MiB refused. It also completes an archive
 * that stops cleanly at an entry's end without padding or end blocks (umoci 0.4 and stacker
 * write such layers, opencontainers/umoci#436; Go's archive/tar reads them). A stream that
 * stops inside a header or inside data stays corrupt: content is never made up.
 */

export type TarType =
  | "file"
  | "link"
  | "symlink"
  | "character-device"
  | "block-device"
  | "directory"
  | "fifo"
  | "contiguous-file"
  | "pax-header"
  | "pax-global-header"
  | "gnu-long-link-path"
  | "gnu-long-path";

export interface TarHeader {
  name: string;
  /** null for a type flag tar-stream did not know either (its data is skipped). */
  type: TarType | null;
  size: number;
  mode: number;
  linkname: string | null;
}

/** Receives a kept entry's data. Views are valid only during the call: copy what you keep. */
export interface TarBodySink {
  data(view: Buffer): void;
  /** All data delivered. */
  end(): void;
}

export interface TarEntryHandler {
  /** Per entry (long-name and PAX records already applied); return a sink to receive its data. */
  entry(h: TarHeader): TarBodySink | undefined;
}

const BLOCK = 512;
const MAX_LONG_HEADER = 4 * 1024 * 1024;
const corrupt = (what: string, msg: string) => new LookoutError("LKT_ERR_LAYER_CORRUPT", `${what}: ${msg}`);

export class TarScanner {
  private readonly header = Buffer.alloc(BLOCK);
  private headerFill = 0;
  /** Data bytes of the current entry still to come. */
  private dataLeft = 0;
  /** Padding after the data (or after an entry's header, see directories). */
  private padLeft = 0;
  private sink: TarBodySink | undefined;
  /** Long-name / PAX record being collected. */
  private long: { type: TarType; buf: Buffer; fill: number } | undefined;
  private gnuLongPath: string | undefined;
  private gnuLongLinkPath: string | undefined;
  private pax: Record<string, string> | undefined;
  private paxGlobal: Record<string, string> | undefined;

  constructor(
    private readonly handler: TarEntryHandler,
    private readonly what: string,
  ) {}

  /**
   * Consume `chunk` from `off`. Returns where it stopped: the chunk's end, or earlier when
   * `paused()` says the handler started async work that must finish first (call again then).
   */
  write(chunk: Buffer, off: number, paused: () => boolean): number {
    const len = chunk.length;
    while (off < len) {
      if (this.dataLeft > 0) {
        const n = Math.min(len - off, this.dataLeft);
        if (this.sink) this.sink.data(chunk.subarray(off, off + n));
        else if (this.long) {
          chunk.copy(this.long.buf, this.long.fill, off, off + n);
          this.long.fill += n;
        }
        off += n;
        this.dataLeft -= n;
        if (this.dataLeft === 0) this.dataDone();
        if (paused()) return off;
        continue;
      }
      if (this.padLeft > 0) {
        const n = Math.min(len - off, this.padLeft);
        off += n;
        this.padLeft -= n;
        continue;
      }
      const n = Math.min(len - off, BLOCK - this.headerFill);
      chunk.copy(this.header, this.headerFill, off, off + n);
      this.headerFill += n;
      off += n;
      if (this.headerFill < BLOCK) return off;
      this.headerFill = 0;
      this.onHeader();
      if (paused()) return off;
    }
    return off;
  }

  /**
   * End of input: fine at an entry boundary (missing padding and end blocks are completed, as
   * Go's reader does); inside a header, a long record or an entry's data it is truncation.
   */
  end(): void {
    if (this.headerFill !== 0 || this.dataLeft !== 0) throw corrupt(this.what, "Unexpected end of data");
  }

  private dataDone(): void {
    const sink = this.sink;
    this.sink = undefined;
    if (sink) return sink.end();
    const long = this.long;
    if (!long) return;
    this.long = undefined;
    const buf = long.buf;
    if (long.type === "gnu-long-path") this.gnuLongPath = str(buf, 0, buf.length);
    else if (long.type === "gnu-long-link-path") this.gnuLongLinkPath = str(buf, 0, buf.length);
    else if (long.type === "pax-global-header") this.paxGlobal = decodePax(buf);
    else this.pax = this.paxGlobal ? { ...this.paxGlobal, ...decodePax(buf) } : decodePax(buf);
  }

  private onHeader(): void {
    const b = this.header;
    let sum = 8 * 32;
    for (let i = 0; i < 148; i++) sum += b[i]!;
    for (let i = 156; i < BLOCK; i++) sum += b[i]!;
    if (sum === 8 * 32) return; // an all-zero block: end marker (or filler), skipped
    if (sum !== decodeOct(b, 148, 8)) throw corrupt(this.what, "Invalid tar header. Maybe the tar is corrupted or it needs to be gunzipped?");
    const ustar = b[257] === 0x75 && b[258] === 0x73 && b[259] === 0x74 && b[260] === 0x61 && b[261] === 0x72;
    const isUstar = ustar && b[262] === 0 && b[263] === 0x30 && b[264] === 0x30;
    const isGnu = ustar && b[262] === 0x20 && b[263] === 0x20 && b[264] === 0;
    if (!isUstar && !isGnu) throw corrupt(this.what, "Invalid tar header: unknown format.");
    const flag = b[156] === 0 ? 0 : b[156]! - 0x30;
    let name = str(b, 0, 100);
    if (isUstar && b[345] !== 0) name = `${str(b, 345, 155)}/${name}`;
    // No "trailing slash means directory" rule on the 100-byte name field: GNU tar writes a long
    // name's first 100 bytes there, which can end in "/" for a regular file whose data follows
    // (tar-stream decodes that rule but never applies it to the type it returns, so it read such
    // archives correctly; applying it skipped the data and lost the stream's alignment).
    const type = toType(flag);
    let size = decodeOct(b, 124, 12);
    const padOf = (n: number) => (BLOCK - (n % BLOCK)) % BLOCK;

    if (type === "gnu-long-path" || type === "gnu-long-link-path" || type === "pax-header" || type === "pax-global-header") {
      if (!(size >= 0)) throw corrupt(this.what, "Invalid header");
      if (size > MAX_LONG_HEADER) throw corrupt(this.what, "Header exceeds max size");
      this.long = { type, buf: Buffer.allocUnsafe(size), fill: 0 };
      this.dataLeft = size;
      this.padLeft = padOf(size);
      if (size === 0) this.dataDone();
      return;
    }
    const h: TarHeader = { name, type, size, mode: decodeOct(b, 100, 8), linkname: b[157] === 0 ? null : str(b, 157, 100) };
    if (this.gnuLongPath) h.name = this.gnuLongPath;
    if (this.gnuLongLinkPath) h.linkname = this.gnuLongLinkPath;
    this.gnuLongPath = this.gnuLongLinkPath = undefined;
    const pax = this.pax;
    this.pax = undefined;
    if (pax) {
      if (pax.path) h.name = pax.path;
      if (pax.linkpath) h.linkname = pax.linkpath;
      if (pax.size) h.size = size = parseInt(pax.size, 10);
    }
    if (!(size >= 0)) throw corrupt(this.what, "Invalid header");
    // tar-stream reads no data for a directory whatever its size field says; neither do we.
    const dataSize = type === "directory" ? 0 : size;
    const sink = this.handler.entry(h);
    if (dataSize === 0) {
      sink?.end();
      return;
    }
    this.sink = sink;
    this.dataLeft = dataSize;
    this.padLeft = padOf(dataSize);
  }
}

function str(b: Buffer, off: number, max: number): string {
  let end = b.indexOf(0, off);
  if (end < 0 || end > off + max) end = off + max;
  return b.toString("utf8", off, end);
}

/** Octal field (leading spaces/NULs allowed), or GNU base-256; NaN when unreadable. */
function decodeOct(b: Buffer, off: number, len: number): number {
  const first = b[off]!;
  if (first & 0x80) {
    if (first !== 0x80 && first !== 0xff) return NaN;
    let sum = 0;
    for (let i = off + len - 1, m = 1; i > off; i--, m *= 256) sum += (first === 0x80 ? b[i]! : 0xff - b[i]!) * m;
    return first === 0x80 ? sum : -sum;
  }
  let i = off;
  const stop = off + len;
  while (i < stop && b[i] === 32) i++;
  let end = i;
  while (end < stop && b[end] !== 32) end++;
  while (i < end && b[i] === 0) i++;
  if (end === i) return 0;
  return parseInt(b.toString("latin1", i, end), 8);
}

function decodePax(buf: Buffer): Record<string, string> {
  const result: Record<string, string> = {};
  while (buf.length) {
    let i = 0;
    while (i < buf.length && buf[i] !== 32) i++;
    const len = parseInt(buf.toString("utf8", 0, i), 10);
    if (!len) return result;
    const rec = buf.toString("utf8", i + 1, len - 1);
    const eq = rec.indexOf("=");
    if (eq === -1) return result;
    result[rec.slice(0, eq)] = rec.slice(eq + 1);
    buf = buf.subarray(len);
  }
  return result;
}

function toType(flag: number): TarType | null {
  switch (flag) {
    case 0:
      return "file";
    case 1:
      return "link";
    case 2:
      return "symlink";
    case 3:
      return "character-device";
    case 4:
      return "block-device";
    case 5:
      return "directory";
    case 6:
      return "fifo";
    case 7:
      return "contiguous-file";
    case 72:
      return "pax-header";
    case 55:
      return "pax-global-header";
    case 27:
      return "gnu-long-link-path";
    case 28:
    case 30:
      return "gnu-long-path";
    default:
      return null;
  }
}
