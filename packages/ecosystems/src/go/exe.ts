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
/** Most of .shstrtab read (names are short; a hostile size stops here). */
export const STRTAB_CAP = 1024 * 1024;

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

/** Which executable format a file's first bytes name (ELF, PE, thin Mach-O), if any. */
export function exeFormat(head: Buffer): "elf" | "pe" | "macho" | undefined {
  if (head.length < 4) return undefined;
  if (head.readUInt32BE(0) === 0x7f454c46) return "elf";
  if (head.toString("latin1", 0, 2) === "MZ") return "pe";
  return [head.readUInt32LE(0), head.readUInt32BE(0)].some((m) => m === 0xfeedfacf || m === 0xfeedface) ? "macho" : undefined;
}

/** Reads the section/segment tables of an ELF, PE or Mach-O file; undefined for anything else. */
export async function readExeLayout(ra: ByteReader): Promise<ExeLayout | undefined> {
  const head = await ra.readUpTo(0, 64);
  if (head.length < 64) return undefined;
  switch (exeFormat(head)) {
    case "elf":
      return readElf(ra, elfHeader(head)!);
    case "pe":
      return readPe(ra, head);
    case "macho": {
      const le = head.readUInt32LE(0) === 0xfeedfacf || head.readUInt32LE(0) === 0xfeedface;
      const magic = le ? head.readUInt32LE(0) : head.readUInt32BE(0);
      return readMacho(ra, le, magic === 0xfeedfacf);
    }
    default:
      return undefined;
  }
}

async function table(ra: ByteReader, off: number, n: number, entSize: number, what: string): Promise<Buffer> {
  if (n * entSize > MAX_TABLE_BYTES) throw bad(ra, `${what} table of ${n} entries is implausible`);
  if (off + n * entSize > ra.size) throw bad(ra, `${what} table lies outside the file`);
  return ra.read(off, n * entSize);
}

/** Where an ELF file header puts its program and section header tables. */
export interface ElfHeader {
  is64: boolean;
  le: boolean;
  phoff: number;
  phentsize: number;
  phnum: number;
  shoff: number;
  shentsize: number;
  shnum: number;
  shstrndx: number;
}

/** The ELF file header in the first 64 bytes of `head`; undefined when it is not one. */
export function elfHeader(head: Buffer): ElfHeader | undefined {
  if (head.length < 64 || head.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const is64 = head[4] === 2;
  const le = head[5] !== 2;
  const h = new Reader(head, le);
  const [phentsize, phnum, shentsize, shnum, shstrndx] = (is64 ? [0x36, 0x38, 0x3a, 0x3c, 0x3e] : [0x2a, 0x2c, 0x2e, 0x30, 0x32]).map((o) => h.u16(o)) as [number, number, number, number, number];
  return {
    is64, le, phentsize, phnum, shentsize, shnum, shstrndx,
    phoff: is64 ? h.u64(0x20) : h.u32(0x1c),
    shoff: is64 ? h.u64(0x28) : h.u32(0x20),
  };
}

/** Entries of a program header table that `h` sizes plausibly (else none). */
export function elfSegments(t: Buffer, h: ElfHeader): { type: number; flags: number; off: number; addr: number; size: number }[] {
  if (h.phentsize < (h.is64 ? 0x38 : 0x20)) return [];
  const r = new Reader(t, h.le);
  const out = [];
  for (let i = 0; i < h.phnum && (i + 1) * h.phentsize <= t.length; i++) {
    const o = i * h.phentsize;
    out.push(h.is64
      ? { type: r.u32(o), flags: r.u32(o + 4), off: r.u64(o + 8), addr: r.u64(o + 0x10), size: r.u64(o + 0x20) }
      : { type: r.u32(o), flags: r.u32(o + 0x18), off: r.u32(o + 4), addr: r.u32(o + 8), size: r.u32(o + 0x10) });
  }
  return out;
}

/** Entry `i` of a section header table (name as an offset into .shstrtab). */
export function elfSection(t: Buffer, h: ElfHeader, i: number): { nameOff: number; type: number; addr: number; off: number; size: number } {
  const r = new Reader(t, h.le);
  const o = i * h.shentsize;
  return h.is64
    ? { nameOff: r.u32(o), type: r.u32(o + 4), addr: r.u64(o + 0x10), off: r.u64(o + 0x18), size: r.u64(o + 0x20) }
    : { nameOff: r.u32(o), type: r.u32(o + 4), addr: r.u32(o + 0x0c), off: r.u32(o + 0x10), size: r.u32(o + 0x14) };
}

async function readElf(ra: ByteReader, h: ElfHeader): Promise<ExeLayout> {
  const ranges: MappedRange[] = [];
  let dataSegment: number | undefined;
  if (h.phnum > 0 && h.phentsize >= (h.is64 ? 0x38 : 0x20)) {
    for (const p of elfSegments(await table(ra, h.phoff, h.phnum, h.phentsize, "ELF program header"), h)) {
      if (p.type !== 1) continue; // PT_LOAD
      ranges.push({ addr: p.addr, off: p.off, size: p.size });
      // PF_W without PF_X: the data segment.
      if (dataSegment === undefined && (p.flags & 3) === 2) dataSegment = p.addr;
    }
  }

  const sections: ExeSection[] = [];
  if (h.shnum > 0 && h.shentsize >= (h.is64 ? 0x40 : 0x28) && h.shstrndx < h.shnum) {
    const t = await table(ra, h.shoff, h.shnum, h.shentsize, "ELF section header");
    const str = elfSection(t, h, h.shstrndx);
    const strtab = new Reader(await ra.readUpTo(str.off, Math.min(str.size, STRTAB_CAP)), h.le);
    for (let i = 0; i < h.shnum; i++) {
      const s = elfSection(t, h, i);
      // SHT_NOBITS (.bss) has no file bytes.
      if (s.type === 8) continue;
      sections.push({ name: s.nameOff < strtab.buf.length ? strtab.cstr(s.nameOff, 256) : "", addr: s.addr, off: s.off, size: s.size });
    }
  }
  // Files without program headers still map through their allocated sections.
  for (const s of sections) if (s.addr !== 0) ranges.push(s);
  const buildinfo = sections.find((s) => s.name === ".go.buildinfo");
  return { format: "elf", littleEndian: h.le, sections, ranges, dataStart: buildinfo?.addr ?? dataSegment };
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
