import { LookoutError } from "@lookout/domain";

/**
 * rpm header blob as stored in every rpmdb backend (no lead, no magic): big-endian il (index
 * entry count) and dl (data length), il 16-byte index entries {tag, type, offset, count}, then
 * dl bytes of data. Ported in spirit from rpm's lib/header.c hdrblobInit/regionSwab through
 * knqyf263/go-rpmdb (MIT) pkg/entry.go, reduced to the tags a scanner needs. Later entries win
 * over earlier ones with the same tag (the "dribble" entries rpm appends after the region).
 */
export interface RpmHeader {
  name: string;
  version: string;
  release: string;
  epoch?: number;
  arch?: string;
  sourceRpm?: string;
  license?: string;
  vendor?: string;
  modularityLabel?: string;
}

export const TAG = {
  NAME: 1000, VERSION: 1001, RELEASE: 1002, EPOCH: 1003, VENDOR: 1011, LICENSE: 1014, ARCH: 1022,
  SOURCERPM: 1044, MODULARITYLABEL: 5096,
} as const;

const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_STRING_ARRAY = 8;
const TYPE_I18NSTRING = 9;

/** rpm's own sanity limit on a header (lib/header.c headerMaxbytes). */
export const HEADER_MAX_BYTES = 256 * 1024 * 1024;
/** No real package has anywhere near this many tags; bounds the index walk. */
const MAX_INDEX_ENTRIES = 0x10000;

function bad(msg: string): LookoutError {
  return new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `rpm header: ${msg}`);
}

/** Parses the fields we keep; throws LKT_ERR_PACKAGE_DB_INVALID for a malformed blob. */
export function parseRpmHeader(blob: Buffer): RpmHeader {
  if (blob.length < 8) throw bad("shorter than its 8-byte preamble");
  const il = blob.readUInt32BE(0);
  const dl = blob.readUInt32BE(4);
  if (il < 1 || il > MAX_INDEX_ENTRIES) throw bad(`index length ${il} out of range`);
  const dataStart = 8 + il * 16;
  if (dl > HEADER_MAX_BYTES || dataStart + dl > blob.length) throw bad(`data length ${dl} exceeds the blob (${blob.length} bytes)`);
  const data = blob.subarray(dataStart, dataStart + dl);

  const strings = new Map<number, string>();
  let epoch: number | undefined;
  for (let i = 0; i < il; i++) {
    const at = 8 + i * 16;
    const tag = blob.readInt32BE(at);
    const type = blob.readUInt32BE(at + 4);
    const offset = blob.readInt32BE(at + 8);
    const count = blob.readUInt32BE(at + 12);
    if (!WANTED.has(tag)) continue;
    if (offset < 0 || offset >= dl) throw bad(`tag ${tag} offset ${offset} outside data (${dl})`);
    if (tag === TAG.EPOCH) {
      if (type !== TYPE_INT32 || count < 1 || offset + 4 > dl || offset % 4 !== 0) throw bad("epoch is not an aligned int32");
      epoch = data.readInt32BE(offset);
      continue;
    }
    if (type !== TYPE_STRING && type !== TYPE_I18NSTRING && type !== TYPE_STRING_ARRAY) throw bad(`tag ${tag} has type ${type}, want a string`);
    // For I18N/array types the first string is the default locale's value.
    const end = data.indexOf(0, offset);
    if (end < 0) throw bad(`tag ${tag} string not terminated`);
    strings.set(tag, data.toString("utf8", offset, end));
  }

  const name = strings.get(TAG.NAME);
  const version = strings.get(TAG.VERSION);
  const release = strings.get(TAG.RELEASE);
  if (!name || version === undefined || release === undefined) throw bad("missing name, version or release");
  const h: RpmHeader = { name, version, release };
  if (epoch !== undefined) h.epoch = epoch;
  const opt = (tag: number): string | undefined => {
    const v = strings.get(tag);
    return v === undefined || v === "" || v === "(none)" ? undefined : v;
  };
  const arch = opt(TAG.ARCH);
  if (arch) h.arch = arch;
  const src = opt(TAG.SOURCERPM);
  if (src) h.sourceRpm = src;
  const lic = opt(TAG.LICENSE);
  if (lic) h.license = lic;
  const vendor = opt(TAG.VENDOR);
  if (vendor) h.vendor = vendor;
  const mod = opt(TAG.MODULARITYLABEL);
  if (mod) h.modularityLabel = mod;
  return h;
}

const WANTED = new Set<number>(Object.values(TAG));
