import type { SamplePlan } from "@lookout/domain";
import { elfHeader, elfSection, elfSegments, exeFormat, STRTAB_CAP, type ElfHeader } from "./exe.js";

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

const PT_LOAD = 1;
const PT_NOTE = 4;
const NT_GO_BUILD_ID = 4;

interface ElfHead {
  h: ElfHeader;
  /** A PT_NOTE in the head carries the Go linker's build-id note. */
  goNote: boolean;
  /** First writable, non-executable PT_LOAD: [file offset, file size]. */
  data: [number, number] | undefined;
}

/** What an ELF head says, when its header and program headers lie inside it. */
function readElfHead(head: Buffer): ElfHead | undefined {
  const h = elfHeader(head);
  if (!h || h.phnum === 0 || h.phoff + h.phnum * h.phentsize > head.length) return undefined;
  const segments = elfSegments(head.subarray(h.phoff, h.phoff + h.phnum * h.phentsize), h);
  if (segments.length === 0) return undefined;
  const data = segments.find((p) => p.type === PT_LOAD && (p.flags & 3) === 2);
  const goNote = segments.some((p) => p.type === PT_NOTE && hasGoNote(head, p.off, p.size, h.le));
  return { h, goNote, data: data && [data.off, data.size] };
}

/** Whether the notes at [off, off+len) of the head include Go's build ID ("Go\0\0", type 4). */
function hasGoNote(head: Buffer, off: number, len: number, le: boolean): boolean {
  const end = Math.min(off + len, head.length);
  const u32 = (o: number) => (le ? head.readUInt32LE(o) : head.readUInt32BE(o));
  for (let o = off; o + 12 <= end; ) {
    const namesz = u32(o);
    const descsz = u32(o + 4);
    if (namesz === 4 && u32(o + 8) === NT_GO_BUILD_ID && o + 16 <= end && head.toString("latin1", o + 12, o + 16) === "Go\0\0") return true;
    const next = o + 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3);
    if (next <= o || next > end) return false;
    o = next;
  }
  return false;
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
function sectionRanges(head: Buffer, { h }: ElfHead): [number, number][] {
  if (h.shnum === 0 || h.shstrndx >= h.shnum) return [];
  const ranges: [number, number][] = [[h.shoff, h.shnum * h.shentsize]];
  const at = h.shoff + h.shstrndx * h.shentsize;
  if (h.shentsize >= (h.is64 ? 0x40 : 0x28) && at + h.shentsize <= head.length) {
    const str = elfSection(head.subarray(at, at + h.shentsize), h, 0);
    ranges.push([str.off, Math.min(str.size, STRTAB_CAP)]);
  }
  // The last sections before the table: .shstrtab when the table is past the head, and the
  // small non-alloc sections (.comment, cargo-auditable's .dep-v0) that precede it.
  ranges.push([Math.max(0, h.shoff - LOOKBEHIND), Math.min(h.shoff, LOOKBEHIND)]);
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
  if (!elf) return exeFormat(head) ? "whole" : "skip";
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
  if (!elf) return exeFormat(head) ? "whole" : "skip";
  if (elf.goNote) return "skip";
  return { ranges: sectionRanges(head, elf) };
}
