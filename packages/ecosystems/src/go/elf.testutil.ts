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
