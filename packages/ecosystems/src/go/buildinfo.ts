import { LookoutError } from "@lookout/domain";
import { readAddr, readExeLayout } from "./exe.js";
import { RandomAccess, type ByteReader } from "./random-access.js";

/** The raw build info Go links into every module-aware binary (`go version -m`). */
export interface GoBuildInfo {
  /** runtime.buildVersion, e.g. "go1.21.3". */
  goVersion: string;
  /** runtime.modinfo without its framing; "" for GOPATH builds. */
  modinfo: string;
}

const MAGIC = Buffer.from("\xff Go buildinf:", "latin1");
const ALIGN = 16;
const HEADER = 32;
/** Go's own reader looks at the first 64 KiB of the data start. */
const SEARCH_BYTES = 64 * 1024;
const MAX_STRING = 4 * 1024 * 1024;

function malformed(path: string, what: string): LookoutError {
  return new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `go: malformed build info in ${path}: ${what}`);
}

/**
 * Reads the Go build info of an executable by offset (never the whole file), following
 * Go's debug/buildinfo: find the 16-byte aligned magic near the data start, then decode
 * either the Go 1.18+ inline form (flag bit 2: two varint-prefixed strings after the 32-byte
 * header) or the older form (two pointers to Go string headers). Returns undefined for files
 * that are not ELF/PE/Mach-O or carry no Go build info; throws LKT_ERR_PACKAGE_DB_INVALID
 * when the build info is present but malformed.
 */
export async function readGoBuildInfo(hostPath: string, imagePath: string): Promise<GoBuildInfo | undefined> {
  return readGoBuildInfoFrom(await RandomAccess.open(hostPath, `go: ${imagePath}`), imagePath);
}

/** readGoBuildInfo over any reader (a sampled file's ranges included); closes it. */
export async function readGoBuildInfoFrom(ra: ByteReader, imagePath: string): Promise<GoBuildInfo | undefined> {
  try {
    const layout = await readExeLayout(ra);
    if (!layout || layout.dataStart === undefined) return undefined;
    const data = await readAddr(ra, layout, layout.dataStart, SEARCH_BYTES);
    if (!data) return undefined;
    const at = findMagic(data);
    if (at < 0) return undefined;
    const blob = data.subarray(at);
    const ptrSize = blob[14]!;
    const flags = blob[15]!;
    let vers: Buffer;
    let mod: Buffer;
    if (flags & 2) {
      // The strings follow the header inline; re-read if they run past the 64 KiB window.
      let buf = blob.subarray(HEADER);
      for (let round = 0, need = inlineLength(buf, imagePath); need > buf.length; need = inlineLength(buf, imagePath)) {
        if (round++ > 2) throw malformed(imagePath, "inline strings do not fit");
        buf = await readLonger(ra, layout, layout.dataStart + at + HEADER, need, imagePath);
      }
      const first = decodeVarString(buf, 0, imagePath);
      const second = decodeVarString(buf, first.next, imagePath);
      [vers, mod] = [first.value, second.value];
    } else {
      if (ptrSize !== 4 && ptrSize !== 8) throw malformed(imagePath, `pointer size ${ptrSize}`);
      const bigEndian = flags !== 0;
      const readPtr = (b: Buffer, o: number): number => readUint(b, o, ptrSize, bigEndian);
      const str = async (addr: number): Promise<Buffer> => {
        const hdr = await readAddr(ra, layout, addr, 2 * ptrSize);
        if (!hdr || hdr.length < 2 * ptrSize) throw malformed(imagePath, "string header outside the file");
        const len = readPtr(hdr, ptrSize);
        if (len > MAX_STRING) throw malformed(imagePath, `string of ${len} bytes`);
        const body = await readAddr(ra, layout, readPtr(hdr, 0), len);
        if (!body || body.length < len) throw malformed(imagePath, "string data outside the file");
        return body.subarray(0, len);
      };
      vers = await str(readPtr(blob, 16));
      mod = await str(readPtr(blob, 16 + ptrSize));
    }
    const goVersion = vers.toString("utf8");
    if (goVersion === "") return undefined;
    if (!/^(go\d|devel)[\x20-\x7e]*$/.test(goVersion)) throw malformed(imagePath, "Go version string is not printable");
    // Strip the 16-byte sentinels around modinfo (cmd/go's infoStart/infoEnd); bytes, not UTF-8.
    const modinfo = mod.length >= 33 && mod[mod.length - 17] === 0x0a ? mod.subarray(16, -16).toString("utf8") : "";
    return { goVersion, modinfo };
  } finally {
    await ra.close();
  }
}

function findMagic(data: Buffer): number {
  let from = 0;
  for (;;) {
    const i = data.indexOf(MAGIC, from);
    if (i < 0 || data.length - i < HEADER) return -1;
    if (i % ALIGN === 0) return i;
    from = (i + ALIGN - 1) & ~(ALIGN - 1);
  }
}

function readUint(b: Buffer, o: number, size: number, bigEndian: boolean): number {
  if (o + size > b.length) return 0;
  if (size === 4) return bigEndian ? b.readUInt32BE(o) : b.readUInt32LE(o);
  const v = bigEndian ? b.readBigUInt64BE(o) : b.readBigUInt64LE(o);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

function uvarint(b: Buffer, o: number, imagePath: string): { value: number; next: number } {
  let x = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (o + i >= b.length) throw malformed(imagePath, "truncated varint");
    const byte = b[o + i]!;
    x += (byte & 0x7f) * mul;
    if (byte < 0x80) {
      if (x > MAX_STRING) throw malformed(imagePath, `string of ${x} bytes`);
      return { value: x, next: o + i + 1 };
    }
    mul *= 128;
  }
  throw malformed(imagePath, "varint too long");
}

function decodeVarString(b: Buffer, o: number, imagePath: string): { value: Buffer; next: number } {
  const { value: len, next } = uvarint(b, o, imagePath);
  if (next + len > b.length) throw malformed(imagePath, "string runs past the data");
  return { value: b.subarray(next, next + len), next: next + len };
}

/** Bytes needed for the two inline strings (their varint prefixes included). */
function inlineLength(b: Buffer, imagePath: string): number {
  const a = uvarint(b, 0, imagePath);
  const endA = a.next + a.value;
  if (endA >= b.length) return endA + 10;
  const c = uvarint(b, endA, imagePath);
  return c.next + c.value;
}

async function readLonger(ra: ByteReader, layout: Parameters<typeof readAddr>[1], addr: number, len: number, imagePath: string): Promise<Buffer> {
  const buf = await readAddr(ra, layout, addr, len);
  if (!buf || buf.length < len) throw malformed(imagePath, "inline strings run past the file");
  return buf;
}
