import { LookoutError } from "@lookout/domain";
import type { ByteReader } from "./random-access.js";

/** A loaded range: virtual address `addr` is file offset `off` for `size` bytes. */
export interface MappedRange {
  addr: number;
  off: number;
  size: number;
}

export interface ExeSection extends MappedRange {
  name: string;
}

/** What the Go and Rust binary readers need from an executable, whatever its format. */
export interface ExeLayout {
  format: "elf" | "pe" | "macho";
  littleEndian: boolean;
  sections: ExeSection[];
  /** Where Go's linker puts the build info: a named section, else the first data segment. */
  dataStart: number | undefined;
  ranges: MappedRange[];
}

const MAX_TABLE_BYTES = 4 * 1024 * 1024;

function bad(ra: ByteReader, what: string): LookoutError {
  return new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `binary: ${what}`, { details: { size: ra.size } });
}

class Reader {
  constructor(
    readonly buf: Buffer,
    readonly le: boolean,
  ) {}
  u16(o: number): number {
    return this.le ? this.buf.readUInt16LE(o) : this.buf.readUInt16BE(o);
  }
  u32(o: number): number {
    return this.le ? this.buf.readUInt32LE(o) : this.buf.readUInt32BE(o);
  }
  u64(o: number): number {
    const v = this.le ? this.buf.readBigUInt64LE(o) : this.buf.readBigUInt64BE(o);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  }
  cstr(o: number, max: number): string {
    const end = this.buf.indexOf(0, o);
    return this.buf.toString("latin1", o, end < 0 || end > o + max ? o + max : end);
  }
}

/** Reads the section/segment tables of an ELF, PE or Mach-O file; undefined for anything else. */
export async function readExeLayout(ra: ByteReader): Promise<ExeLayout | undefined> {
  const head = await ra.readUpTo(0, 64);
  if (head.length < 64) return undefined;
  if (head.readUInt32BE(0) === 0x7f454c46) return readElf(ra, head);
  if (head.toString("latin1", 0, 2) === "MZ") return readPe(ra, head);
  const magic = head.readUInt32LE(0);
  if (magic === 0xfeedfacf || magic === 0xfeedface) return readMacho(ra, true, magic === 0xfeedfacf);
  const magicBe = head.readUInt32BE(0);
  if (magicBe === 0xfeedfacf || magicBe === 0xfeedface) return readMacho(ra, false, magicBe === 0xfeedfacf);
  return undefined;
}

async function table(ra: ByteReader, off: number, n: number, entSize: number, what: string): Promise<Buffer> {
  if (n * entSize > MAX_TABLE_BYTES) throw bad(ra, `${what} table of ${n} entries is implausible`);
  if (off + n * entSize > ra.size) throw bad(ra, `${what} table lies outside the file`);
  return ra.read(off, n * entSize);
}

async function readElf(ra: ByteReader, head: Buffer): Promise<ExeLayout> {
  const is64 = head[4] === 2;
  const le = head[5] !== 2;
  const h = new Reader(head, le);
  const phoff = is64 ? h.u64(0x20) : h.u32(0x1c);
  const shoff = is64 ? h.u64(0x28) : h.u32(0x20);
  const [phentsize, phnum, shentsize, shnum, shstrndx] = is64
    ? [h.u16(0x36), h.u16(0x38), h.u16(0x3a), h.u16(0x3c), h.u16(0x3e)]
    : [h.u16(0x2a), h.u16(0x2c), h.u16(0x2e), h.u16(0x30), h.u16(0x32)];

  const ranges: MappedRange[] = [];
  let dataSegment: number | undefined;
  if (phnum > 0 && phentsize >= (is64 ? 0x38 : 0x20)) {
    const t = new Reader(await table(ra, phoff, phnum, phentsize, "ELF program header"), le);
    for (let i = 0; i < phnum; i++) {
      const o = i * phentsize;
      if (t.u32(o) !== 1) continue; // PT_LOAD
      const flags = is64 ? t.u32(o + 4) : t.u32(o + 0x18);
      const off = is64 ? t.u64(o + 8) : t.u32(o + 4);
      const addr = is64 ? t.u64(o + 0x10) : t.u32(o + 8);
      const size = is64 ? t.u64(o + 0x20) : t.u32(o + 0x10);
      ranges.push({ addr, off, size });
      // PF_W without PF_X: the data segment.
      if (dataSegment === undefined && (flags & 3) === 2) dataSegment = addr;
    }
  }

  const sections: ExeSection[] = [];
  if (shnum > 0 && shentsize >= (is64 ? 0x40 : 0x28) && shstrndx < shnum) {
    const t = new Reader(await table(ra, shoff, shnum, shentsize, "ELF section header"), le);
    const field = (i: number, o64: number, o32: number): number => (is64 ? t.u64(i * shentsize + o64) : t.u32(i * shentsize + o32));
    const strOff = field(shstrndx, 0x18, 0x10);
    const strSize = Math.min(field(shstrndx, 0x20, 0x14), 1024 * 1024);
    const strtab = new Reader(await ra.readUpTo(strOff, strSize), le);
    for (let i = 0; i < shnum; i++) {
      const nameOff = t.u32(i * shentsize);
      const type = t.u32(i * shentsize + 4);
      const name = nameOff < strtab.buf.length ? strtab.cstr(nameOff, 256) : "";
      // SHT_NOBITS (.bss) has no file bytes.
      if (type === 8) continue;
      sections.push({ name, addr: field(i, 0x10, 0x0c), off: field(i, 0x18, 0x10), size: field(i, 0x20, 0x14) });
    }
  }
  // Files without program headers still map through their allocated sections.
  for (const s of sections) if (s.addr !== 0) ranges.push(s);
  const buildinfo = sections.find((s) => s.name === ".go.buildinfo");
  return { format: "elf", littleEndian: le, sections, ranges, dataStart: buildinfo?.addr ?? dataSegment };
}

async function readPe(ra: ByteReader, head: Buffer): Promise<ExeLayout | undefined> {
  const peOff = head.readUInt32LE(0x3c);
  const coff = await ra.readUpTo(peOff, 24 + 240);
  if (coff.length < 24 + 96 || coff.toString("latin1", 0, 4) !== "PE\u0000\u0000") return undefined;
  const nsect = coff.readUInt16LE(6);
  const optSize = coff.readUInt16LE(20);
  const optMagic = coff.readUInt16LE(24);
  const imageBase = optMagic === 0x20b ? Number(coff.readBigUInt64LE(24 + 24)) : coff.readUInt32LE(24 + 28);
  const t = await table(ra, peOff + 24 + optSize, nsect, 40, "PE section");
  const sections: ExeSection[] = [];
  let dataStart: number | undefined;
  for (let i = 0; i < nsect; i++) {
    const o = i * 40;
    const name = t.toString("latin1", o, o + 8).replace(/\0.*$/s, "");
    const vsize = t.readUInt32LE(o + 8);
    const vaddr = t.readUInt32LE(o + 12);
    const rawSize = t.readUInt32LE(o + 16);
    const rawOff = t.readUInt32LE(o + 20);
    const chars = t.readUInt32LE(o + 36);
    sections.push({ name, addr: imageBase + vaddr, off: rawOff, size: Math.min(vsize || rawSize, rawSize) });
    // First initialised, readable, writable data section (alignment bits ignored), as Go's debug/buildinfo.
    const rw = 0x00000040 | 0x40000000 | 0x80000000;
    if (dataStart === undefined && vaddr !== 0 && vsize !== 0 && (chars & ~0x00f00000) === rw) dataStart = imageBase + vaddr;
  }
  return { format: "pe", littleEndian: true, sections, ranges: sections, dataStart };
}

async function readMacho(ra: ByteReader, le: boolean, is64: boolean): Promise<ExeLayout> {
  const hdrSize = is64 ? 32 : 28;
  const h = new Reader(await ra.read(0, hdrSize), le);
  const ncmds = h.u32(16);
  const sizeofcmds = h.u32(20);
  const c = new Reader(await table(ra, hdrSize, 1, sizeofcmds, "Mach-O load command"), le);
  const sections: ExeSection[] = [];
  const ranges: MappedRange[] = [];
  let rwSegment: number | undefined;
  let o = 0;
  for (let i = 0; i < ncmds && o + 8 <= sizeofcmds; i++) {
    const cmd = c.u32(o);
    const cmdsize = c.u32(o + 4);
    if (cmdsize < 8 || o + cmdsize > sizeofcmds) throw bad(ra, "Mach-O load command overruns its table");
    if (cmd === 0x19 || cmd === 0x1) {
      const w = cmd === 0x19;
      const addr = w ? c.u64(o + 24) : c.u32(o + 24);
      const fileoff = w ? c.u64(o + 40) : c.u32(o + 32);
      const filesize = w ? c.u64(o + 48) : c.u32(o + 36);
      const maxprot = c.u32(o + (w ? 56 : 40));
      const initprot = c.u32(o + (w ? 60 : 44));
      const nsects = c.u32(o + (w ? 64 : 48));
      ranges.push({ addr, off: fileoff, size: filesize });
      if (rwSegment === undefined && addr !== 0 && filesize !== 0 && maxprot === 3 && initprot === 3) rwSegment = addr;
      const secSize = w ? 80 : 68;
      for (let s = 0; s < nsects; s++) {
        const so = o + (w ? 72 : 56) + s * secSize;
        if (so + secSize > o + cmdsize) break;
        sections.push({
          name: c.cstr(so, 16),
          addr: w ? c.u64(so + 32) : c.u32(so + 32),
          size: w ? c.u64(so + 40) : c.u32(so + 36),
          off: c.u32(so + (w ? 48 : 40)),
        });
      }
    }
    o += cmdsize;
  }
  const buildinfo = sections.find((s) => s.name === "__go_buildinfo");
  return { format: "macho", littleEndian: le, sections, ranges, dataStart: buildinfo?.addr ?? rwSegment };
}

/** Reads `len` bytes at virtual address `addr` (clamped to the containing range). */
export async function readAddr(ra: ByteReader, layout: ExeLayout, addr: number, len: number): Promise<Buffer | undefined> {
  for (const r of layout.ranges) {
    if (addr >= r.addr && addr < r.addr + r.size) {
      const off = r.off + (addr - r.addr);
      return ra.readUpTo(off, Math.min(len, r.addr + r.size - addr));
    }
  }
  return undefined;
}
