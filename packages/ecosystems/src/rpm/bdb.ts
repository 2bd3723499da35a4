import type { RandomAccess } from "./random-access.js";
import { truncated } from "./random-access.js";
import { HEADER_MAX_BYTES } from "./header.js";

/**
 * Berkeley DB hash database (rpm's classic /var/lib/rpm/Packages, RHEL/CentOS 5-8): a
 * metadata page, then hash pages whose key/value index pairs point at H_OFFPAGE items; each
 * value's bytes live in a chain of overflow pages. Layout per libdb dbinc/db_page.h, as read by
 * knqyf263/go-rpmdb pkg/bdb (MIT). Byte order follows the metadata magic (big-endian DBs exist).
 */
const HASH_MAGIC = 0x061561;
const PAGE_HEADER = 26;
const P_HASH_UNSORTED = 2;
const H_OFFPAGE = 3;
const P_OVERFLOW = 7;
const P_HASHMETA = 8;
const P_HASH = 13;
const VALID_PAGE_SIZES = new Set([512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]);

export function isBdbHash(head: Buffer): boolean {
  if (head.length < 26) return false;
  return (head.readUInt32LE(12) === HASH_MAGIC || head.readUInt32BE(12) === HASH_MAGIC) && head[25] === P_HASHMETA;
}

export async function* bdbBlobs(ra: RandomAccess): AsyncGenerator<Buffer> {
  const meta = await ra.read(0, Math.min(512, ra.size));
  if (!isBdbHash(meta)) throw truncated("bdb: not a Berkeley DB hash database");
  const be = meta.readUInt32LE(12) !== HASH_MAGIC;
  const u32 = (b: Buffer, o: number): number => (be ? b.readUInt32BE(o) : b.readUInt32LE(o));
  const u16 = (b: Buffer, o: number): number => (be ? b.readUInt16BE(o) : b.readUInt16LE(o));
  if (meta[24] !== 0) throw truncated("bdb: encrypted database");
  const pageSize = u32(meta, 20);
  if (!VALID_PAGE_SIZES.has(pageSize)) throw truncated(`bdb: page size ${pageSize} invalid`);
  const lastPage = u32(meta, 32);
  const pageCount = Math.floor(ra.size / pageSize);
  if (lastPage >= pageCount) throw truncated(`bdb: last page ${lastPage} beyond file of ${pageCount} pages (truncated)`);

  for (let pgno = 1; pgno <= lastPage; pgno++) {
    const page = await ra.read(pgno * pageSize, pageSize);
    const type = page[25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = u16(page, 20);
    if (entries % 2 !== 0 || PAGE_HEADER + entries * 2 > pageSize) throw truncated(`bdb: page ${pgno} has a bad entry count ${entries}`);
    // Index entries come in key/value pairs; package headers are the values.
    for (let i = 1; i < entries; i += 2) {
      const at = u16(page, PAGE_HEADER + i * 2);
      if (at >= pageSize) throw truncated(`bdb: page ${pgno} item offset ${at} out of page`);
      if (page[at] !== H_OFFPAGE) continue;
      if (at + 12 > pageSize) throw truncated(`bdb: page ${pgno} off-page item at ${at} out of page`);
      yield await overflowChain(ra, u32(page, at + 4), u32(page, at + 8), pageSize, lastPage, u32, u16);
    }
  }
}

/** Concatenates an overflow chain, bounded by the item's declared length and the page count. */
async function overflowChain(
  ra: RandomAccess,
  first: number,
  total: number,
  pageSize: number,
  lastPage: number,
  u32: (b: Buffer, o: number) => number,
  u16: (b: Buffer, o: number) => number,
): Promise<Buffer> {
  if (total > HEADER_MAX_BYTES) throw truncated(`bdb: item length ${total} over cap`);
  const parts: Buffer[] = [];
  let have = 0;
  let steps = 0;
  for (let pgno = first; pgno !== 0; ) {
    if (pgno > lastPage || ++steps > lastPage) throw truncated(`bdb: overflow chain leaves the database at page ${pgno}`);
    const page = await ra.read(pgno * pageSize, pageSize);
    if (page[25] !== P_OVERFLOW) throw truncated(`bdb: page ${pgno} in an overflow chain is type ${page[25]}`);
    const next = u32(page, 16);
    // On overflow pages the "high free offset" field holds the byte count used on the page.
    const used = next === 0 ? u16(page, 22) : pageSize - PAGE_HEADER;
    if (PAGE_HEADER + used > pageSize) throw truncated(`bdb: overflow page ${pgno} claims ${used} bytes`);
    parts.push(page.subarray(PAGE_HEADER, PAGE_HEADER + used));
    have += used;
    if (have > total) throw truncated(`bdb: overflow chain longer than its item (${total} bytes)`);
    pgno = next;
  }
  return Buffer.concat(parts, have);
}
