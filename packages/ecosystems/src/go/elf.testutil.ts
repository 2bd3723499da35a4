/**
 * Builds minimal ELF64 little-endian executables in tests: one RW PT_LOAD segment holding
 * `data` at virtual address DATA_ADDR, and optionally a section table naming `data` as
 * `sectionName` (".go.buildinfo", ".dep-v0", ...). Enough for the build-info readers; not
 * runnable.
 */
export const DATA_ADDR = 0x401000;
const DATA_OFF = 0x1000;

export function buildElf(data: Buffer, opts: { sectionName?: string } = {}): Buffer {
  const shstr = Buffer.from(`\0${opts.sectionName ?? ""}\0.shstrtab\0`, "latin1");
  const shstrOff = DATA_OFF + data.length;
  const shoff = (shstrOff + shstr.length + 7) & ~7;
  const withSections = opts.sectionName !== undefined;
  const total = withSections ? shoff + 3 * 64 : shstrOff;
  const b = Buffer.alloc(total);
  b.write("\x7fELF", 0, "latin1");
  b[4] = 2; // ELFCLASS64
  b[5] = 1; // little endian
  b[6] = 1;
  b.writeUInt16LE(2, 0x10); // ET_EXEC
  b.writeUInt16LE(0x3e, 0x12); // x86-64
  b.writeUInt32LE(1, 0x14);
  b.writeBigUInt64LE(0x40n, 0x20); // e_phoff
  b.writeBigUInt64LE(withSections ? BigInt(shoff) : 0n, 0x28);
  b.writeUInt16LE(64, 0x34);
  b.writeUInt16LE(0x38, 0x36);
  b.writeUInt16LE(1, 0x38);
  b.writeUInt16LE(64, 0x3a);
  b.writeUInt16LE(withSections ? 3 : 0, 0x3c);
  b.writeUInt16LE(withSections ? 2 : 0, 0x3e);
  // PT_LOAD, PF_R|PF_W
  const ph = 0x40;
  b.writeUInt32LE(1, ph);
  b.writeUInt32LE(6, ph + 4);
  b.writeBigUInt64LE(BigInt(DATA_OFF), ph + 8);
  b.writeBigUInt64LE(BigInt(DATA_ADDR), ph + 0x10);
  b.writeBigUInt64LE(BigInt(DATA_ADDR), ph + 0x18);
  b.writeBigUInt64LE(BigInt(data.length), ph + 0x20);
  b.writeBigUInt64LE(BigInt(data.length), ph + 0x28);
  data.copy(b, DATA_OFF);
  if (withSections) {
    shstr.copy(b, shstrOff);
    const sec = (i: number, name: number, type: number, addr: number, off: number, size: number): void => {
      const o = shoff + i * 64;
      b.writeUInt32LE(name, o);
      b.writeUInt32LE(type, o + 4);
      b.writeBigUInt64LE(BigInt(addr), o + 0x10);
      b.writeBigUInt64LE(BigInt(off), o + 0x18);
      b.writeBigUInt64LE(BigInt(size), o + 0x20);
    };
    sec(1, 1, 1, DATA_ADDR, DATA_OFF, data.length);
    sec(2, 2 + (opts.sectionName ?? "").length, 3, 0, shstrOff, shstr.length);
  }
  return b;
}

function uvarint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

/** Go's modinfo framing: 16-byte sentinels around the text (cmd/go modload infoStart/End). */
export function frameModinfo(text: string): string {
  return "0w\xaf\f\x92t\b\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6" + text + "\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2";
}

function header(ptrSize: number, flags: number): Buffer {
  const h = Buffer.alloc(32);
  h.write("\xff Go buildinf:", 0, "latin1");
  h[14] = ptrSize;
  h[15] = flags;
  return h;
}

/** Go 1.18+ build info blob: header with flag 2, then two varint-prefixed strings. */
export function inlineBuildInfo(goVersion: string, modinfo: string): Buffer {
  const v = Buffer.from(goVersion, "utf8");
  const m = Buffer.from(modinfo, "latin1");
  return Buffer.concat([header(8, 2), uvarint(v.length), v, uvarint(m.length), m]);
}

/** Pre-1.18 build info: header with two pointers to Go string headers {ptr, len}. */
export function pointerBuildInfo(goVersion: string, modinfo: string): Buffer {
  const v = Buffer.from(goVersion, "utf8");
  const m = Buffer.from(modinfo, "latin1");
  const h = header(8, 0);
  const hdrs = Buffer.alloc(32);
  const vAddr = DATA_ADDR + 64;
  const mAddr = vAddr + v.length;
  hdrs.writeBigUInt64LE(BigInt(vAddr), 0);
  hdrs.writeBigUInt64LE(BigInt(v.length), 8);
  hdrs.writeBigUInt64LE(BigInt(mAddr), 16);
  hdrs.writeBigUInt64LE(BigInt(m.length), 24);
  h.writeBigUInt64LE(BigInt(DATA_ADDR + 32), 16);
  h.writeBigUInt64LE(BigInt(DATA_ADDR + 48), 24);
  return Buffer.concat([h, hdrs, v, m]);
}

/** Minimal PE32+ with one initialised RW `.data` section holding `data` (Go's PE data start). */
export function buildPe(data: Buffer): Buffer {
  const rawOff = 0x400;
  const b = Buffer.alloc(rawOff + data.length);
  b.write("MZ", 0, "latin1");
  b.writeUInt32LE(0x80, 0x3c);
  b.write("PE\0\0", 0x80, "latin1");
  b.writeUInt16LE(0x8664, 0x84);
  b.writeUInt16LE(1, 0x86); // sections
  b.writeUInt16LE(240, 0x94); // optional header size
  b.writeUInt16LE(0x20b, 0x98); // PE32+
  b.writeBigUInt64LE(0x140000000n, 0x98 + 24); // ImageBase
  const s = 0x98 + 240;
  b.write(".data", s, "latin1");
  b.writeUInt32LE(data.length, s + 8);
  b.writeUInt32LE(0x1000, s + 12);
  b.writeUInt32LE(data.length, s + 16);
  b.writeUInt32LE(rawOff, s + 20);
  b.writeUInt32LE(0xc0000040, s + 36); // initialised data, read, write
  data.copy(b, rawOff);
  return b;
}

/** Minimal 64-bit little-endian Mach-O: one __DATA segment with a `sectionName` section. */
export function buildMacho(data: Buffer, sectionName = "__go_buildinfo"): Buffer {
  const off = 0x1000;
  const addr = 0x100004000n;
  const b = Buffer.alloc(off + data.length);
  b.writeUInt32LE(0xfeedfacf, 0);
  b.writeUInt32LE(0x01000007, 4);
  b.writeUInt32LE(3, 8);
  b.writeUInt32LE(2, 12); // MH_EXECUTE
  b.writeUInt32LE(1, 16); // ncmds
  b.writeUInt32LE(72 + 80, 20);
  const c = 32;
  b.writeUInt32LE(0x19, c); // LC_SEGMENT_64
  b.writeUInt32LE(72 + 80, c + 4);
  b.write("__DATA", c + 8, "latin1");
  b.writeBigUInt64LE(addr, c + 24);
  b.writeBigUInt64LE(BigInt(data.length), c + 32);
  b.writeBigUInt64LE(BigInt(off), c + 40);
  b.writeBigUInt64LE(BigInt(data.length), c + 48);
  b.writeUInt32LE(3, c + 56);
  b.writeUInt32LE(3, c + 60);
  b.writeUInt32LE(1, c + 64); // nsects
  const s = c + 72;
  b.write(sectionName, s, "latin1");
  b.write("__DATA", s + 16, "latin1");
  b.writeBigUInt64LE(addr, s + 32);
  b.writeBigUInt64LE(BigInt(data.length), s + 40);
  b.writeUInt32LE(off, s + 48);
  data.copy(b, off);
  return b;
}
