import type { RandomAccess } from "./random-access.js";
import { truncated } from "./random-access.js";
import { HEADER_MAX_BYTES } from "./header.js";

/**
 * rpm "ndb" backend (Packages.db, SUSE): a 32-byte header ("RpmP", version 0, generation,
 * slot page count), then 4 KiB slot pages of 16-byte slots {"Slot", pkgIndex, blkOffset,
 * blkCount}; each used slot points (in 16-byte blocks) at a blob {"BlbS", pkgIndex, checksum,
 * length} followed by the header blob. Format per rpm lib/backend/ndb/rpmpkg.c, as read by
 * knqyf263/go-rpmdb pkg/ndb (MIT).
 */
const HEADER_MAGIC = 0x506d7052; // "RpmP" little-endian
const SLOT_MAGIC = 0x746f6c53; // "Slot"
const BLOB_MAGIC = 0x53626c42; // "BlbS"
const SLOT_PAGE = 4096;
/** go-rpmdb's sanity cap: 2048 slot pages = 524k slots. */
const MAX_SLOT_PAGES = 2048;

export function isNdb(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32LE(0) === HEADER_MAGIC;
}

export async function* ndbBlobs(ra: RandomAccess): AsyncGenerator<Buffer> {
  const hdr = await ra.read(0, 32);
  if (hdr.readUInt32LE(0) !== HEADER_MAGIC || hdr.readUInt32LE(4) !== 0) throw truncated("ndb: bad magic or version");
  const slotPages = hdr.readUInt32LE(12);
  if (slotPages === 0 || slotPages > MAX_SLOT_PAGES) throw truncated(`ndb: slot page count ${slotPages} out of range`);
  const slots = await ra.read(0, slotPages * SLOT_PAGE);
  // The first two 16-byte slots hold the 32-byte header.
  for (let off = 32; off + 16 <= slots.length; off += 16) {
    if (slots.readUInt32LE(off) !== SLOT_MAGIC) throw truncated(`ndb: bad slot magic at ${off}`);
    const pkgIndex = slots.readUInt32LE(off + 4);
    if (pkgIndex === 0) continue;
    const blobAt = slots.readUInt32LE(off + 8) * 16;
    const bh = await ra.read(blobAt, 16);
    if (bh.readUInt32LE(0) !== BLOB_MAGIC || bh.readUInt32LE(4) !== pkgIndex) throw truncated(`ndb: blob for package ${pkgIndex} not found at ${blobAt}`);
    const len = bh.readUInt32LE(12);
    if (len > HEADER_MAX_BYTES) throw truncated(`ndb: blob length ${len} over cap`);
    yield await ra.read(blobAt + 16, len);
  }
}
