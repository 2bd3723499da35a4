import type { SamplePlan } from "@lookout/domain";

/**
 * Bytes of the data segment kept: Go's reader searches the first 64 KiB for the build info.
 * For a program with the Go build-id note the Go 1.18+ inline strings follow it (modinfo of a
 * large program is tens of KiB; 1 MiB leaves room, and a longer one gets the layer read again);
 * for any other ELF, 128 KiB (its build info, if any, is found or ruled out in the first 64).
 */
const GO_DATA_WINDOW = (64 << 10) + (1 << 20);
const DATA_WINDOW = 128 << 10;
/** Kept before a section header table that lies past the head (GNU ld puts .shstrtab there). */
const LOOKBEHIND = 64 << 10;
/** The reader's cap on .shstrtab (exe.ts). */
const STRTAB_CAP = 1 << 20;

const PT_LOAD = 1;
const PT_NOTE = 4;
const NT_GO_BUILD_ID = 4;

interface ElfHead {
  le: boolean;
  is64: boolean;
  /** A PT_NOTE in the head carries the Go linker's build-id note. */
  goNote: boolean;
  /** First writable, non-executable PT_LOAD: [file offset, file size]. */
  data: [number, number] | undefined;
  sht: { off: number; entSize: number; count: number; strIndex: number };
}

/** Unsigned field of `bytes` at `o`, or undefined past the end (clamped to a safe integer). */
function field(b: Buffer, o: number, bytes: 2 | 4 | 8, le: boolean): number | undefined {
  if (o < 0 || o + bytes > b.length) return undefined;
  if (bytes === 2) return le ? b.readUInt16LE(o) : b.readUInt16BE(o);
  if (bytes === 4) return le ? b.readUInt32LE(o) : b.readUInt32BE(o);
  const v = le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

/** What an ELF head says, when its header and program headers lie inside it. */
function readElfHead(head: Buffer): ElfHead | undefined {
  if (head.length < 64 || head.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const is64 = head[4] === 2;
  const le = head[5] !== 2;
  const w = is64 ? 8 : 4;
  const u = (o: number, n: 2 | 4 | 8) => field(head, o, n, le);
  const phoff = u(is64 ? 0x20 : 0x1c, w as 4 | 8);
  const shoff = u(is64 ? 0x28 : 0x20, w as 4 | 8);
  const [phent, phnum, shent, shnum, shstr] = (is64 ? [0x36, 0x38, 0x3a, 0x3c, 0x3e] : [0x2a, 0x2c, 0x2e, 0x30, 0x32]).map((o) => u(o, 2));
  if (phoff === undefined || shoff === undefined || phent === undefined || phnum === undefined || shent === undefined || shnum === undefined || shstr === undefined) return undefined;
  if (phnum === 0 || phent < (is64 ? 0x38 : 0x20) || phoff + phnum * phent > head.length) return undefined;
  let goNote = false;
  let data: [number, number] | undefined;
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phent;
    const type = u(o, 4);
    const flags = u(is64 ? o + 4 : o + 0x18, 4) ?? 0;
    const off = u(is64 ? o + 8 : o + 4, w as 4 | 8) ?? 0;
    const filesz = u(is64 ? o + 0x20 : o + 0x10, w as 4 | 8) ?? 0;
    if (type === PT_LOAD && data === undefined && (flags & 3) === 2) data = [off, filesz];
    if (type === PT_NOTE && !goNote) goNote = hasGoNote(head, off, filesz, le);
  }
  return { le, is64, goNote, data, sht: { off: shoff, entSize: shent, count: shnum, strIndex: shstr } };
}

/** Whether the notes at [off, off+len) of the head include Go's build ID ("Go\0\0", type 4). */
function hasGoNote(head: Buffer, off: number, len: number, le: boolean): boolean {
  const end = Math.min(off + len, head.length);
  for (let o = off; o + 12 <= end; ) {
    const namesz = field(head, o, 4, le)!;
    const descsz = field(head, o + 4, 4, le)!;
    const type = field(head, o + 8, 4, le)!;
    if (namesz === 4 && type === NT_GO_BUILD_ID && o + 16 <= end && head.toString("latin1", o + 12, o + 16) === "Go\0\0") return true;
    const next = o + 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3);
    if (next <= o || next > end) return false;
    o = next;
  }
  return false;
}

/** Whether the head starts like an executable the readers parse (ELF, PE, thin Mach-O). */
export function isExecutableFormat(head: Buffer): boolean {
  if (head.length < 4) return false;
  const magic = head.readUInt32BE(0);
  return magic === 0x7f454c46 || head.toString("latin1", 0, 2) === "MZ" || [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe].includes(magic);
}

/** A Go program (ELF with the Go linker's build-id note), told from its first bytes. */
export function isGoElf(head: Buffer): boolean {
  return readElfHead(head)?.goNote === true;
}

/**
 * The section header table of an ELF, its names and the 64 KiB before it: names exact when the
 * table lies in the head (the Go linker puts it there), else GNU ld's .shstrtab just before the
 * table at the end of the file (a reader that finds them elsewhere falls short and the layer is
 * read again).
 */
function sectionRanges(head: Buffer, elf: ElfHead): [number, number][] {
  const { off, entSize, count, strIndex } = elf.sht;
  if (count === 0 || strIndex >= count) return [];
  const ranges: [number, number][] = [[off, count * entSize]];
  const at = off + strIndex * entSize;
  const strOff = field(head, at + (elf.is64 ? 0x18 : 0x10), elf.is64 ? 8 : 4, elf.le);
  const strSize = field(head, at + (elf.is64 ? 0x20 : 0x14), elf.is64 ? 8 : 4, elf.le);
  if (strOff !== undefined && strSize !== undefined) ranges.push([strOff, Math.min(strSize, STRTAB_CAP)]);
  // The last sections before the table: .shstrtab when the table is past the head, and the
  // small non-alloc sections (.comment, cargo-auditable's .dep-v0) that precede it.
  ranges.push([Math.max(0, off - LOOKBEHIND), Math.min(off, LOOKBEHIND)]);
  return ranges;
}

/**
 * What the Go build-info reader needs of an executable, decided on its head: for an ELF, the
 * headers, the section table and its names, and the start of the data segment, where the
 * linker puts .go.buildinfo (more of it for a program with the Go build-id note, whose inline
 * strings follow); nothing of a file that is no executable; PE and Mach-O whole. The reader
 * follows the same steps on these bytes as on the whole file, and throws LKT_ERR_SAMPLE_SHORT
 * when a step needs bytes outside them (a Go binary older than 1.18 keeps its strings in
 * .rodata, a cgo one may put .go.buildinfo deep in its data): the layer is then read again.
 */
export function goBinaryPlan(head: Buffer): SamplePlan {
  const elf = readElfHead(head);
  if (!elf) return isExecutableFormat(head) ? "whole" : "skip";
  const ranges = sectionRanges(head, elf);
  if (elf.data) ranges.push([elf.data[0], Math.min(elf.data[1], elf.goNote ? GO_DATA_WINDOW : DATA_WINDOW)]);
  return { ranges };
}

/**
 * What the cargo-auditable reader needs: nothing of a Go program (the Go linker never links its
 * section) or of a non-executable; of another ELF, the section table, its names and the 64 KiB
 * before the table. cargo-auditable's .dep-v0 is a non-alloc section of a few KiB, which linkers
 * and strip put among the last sections before the table; in an unstripped binary the symbol
 * table may lie between them, the read falls short and the layer is read again. PE and Mach-O
 * whole.
 */
export function rustBinaryPlan(head: Buffer): SamplePlan {
  const elf = readElfHead(head);
  if (!elf) return isExecutableFormat(head) ? "whole" : "skip";
  if (elf.goNote) return "skip";
  return { ranges: sectionRanges(head, elf) };
}
