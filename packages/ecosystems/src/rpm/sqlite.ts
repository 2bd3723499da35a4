import type { RandomAccess } from "./random-access.js";
import { truncated } from "./random-access.js";
import { HEADER_MAX_BYTES } from "./header.js";

/**
 * Just enough of the SQLite file format (https://www.sqlite.org/fileformat2.html) to read
 * rpm's `Packages (hnum INTEGER PRIMARY KEY, blob BLOB)` table without a native module: find
 * the table's root page in sqlite_master, walk the table b-tree, reassemble overflowing
 * payloads and decode the record. Read-only; a -wal file is not replayed (rpm checkpoints it
 * when it closes the database, so images normally ship without one).
 */
const MAGIC = "SQLite format 3\0";
const LEAF_TABLE = 0x0d;
const INTERIOR_TABLE = 0x05;
const MAX_DEPTH = 32;

export function isSqlite(head: Buffer): boolean {
  return head.length >= 16 && head.toString("latin1", 0, 16) === MAGIC;
}

interface Db {
  ra: RandomAccess;
  pageSize: number;
  usable: number;
  pageCount: number;
}

/** Yields the value of column `column` (0-based) of every row of `table`, in rowid order. */
export async function* sqliteColumn(ra: RandomAccess, table: string, column: number): AsyncGenerator<Buffer | string | number | null> {
  const hdr = await ra.read(0, 100);
  if (!isSqlite(hdr)) throw truncated("sqlite: bad magic");
  const rawSize = hdr.readUInt16BE(16);
  const pageSize = rawSize === 1 ? 65536 : rawSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw truncated(`sqlite: page size ${pageSize} invalid`);
  const usable = pageSize - (hdr[20] ?? 0);
  if (usable < 480) throw truncated("sqlite: reserved space too large");
  const db: Db = { ra, pageSize, usable, pageCount: Math.floor(ra.size / pageSize) };

  let root: number | undefined;
  for await (const rec of rows(db, 1, new Set(), 0)) {
    if (rec[0] === "table" && rec[1] === table && typeof rec[3] === "number") root = rec[3];
  }
  if (root === undefined) throw truncated(`sqlite: no table ${table}`);
  for await (const rec of rows(db, root, new Set(), 0)) yield rec[column] ?? null;
}

async function readPage(db: Db, pgno: number): Promise<Buffer> {
  if (pgno < 1 || pgno > db.pageCount) throw truncated(`sqlite: page ${pgno} beyond the file (${db.pageCount} pages, truncated?)`);
  return db.ra.read((pgno - 1) * db.pageSize, db.pageSize);
}

type Value = Buffer | string | number | null;

async function* rows(db: Db, pgno: number, seen: Set<number>, depth: number): AsyncGenerator<Value[]> {
  if (seen.has(pgno) || depth > MAX_DEPTH) throw truncated(`sqlite: b-tree loop at page ${pgno}`);
  seen.add(pgno);
  const page = await readPage(db, pgno);
  const h = pgno === 1 ? 100 : 0; // page 1 starts with the file header
  const type = page[h];
  const ncells = page.readUInt16BE(h + 3);
  if (type === INTERIOR_TABLE) {
    const ptrs = h + 12;
    if (ptrs + ncells * 2 > db.usable) throw truncated(`sqlite: page ${pgno} cell count ${ncells} too large`);
    for (let i = 0; i < ncells; i++) {
      const cell = page.readUInt16BE(ptrs + i * 2);
      if (cell + 4 > db.usable) throw truncated(`sqlite: page ${pgno} cell offset out of page`);
      yield* rows(db, page.readUInt32BE(cell), seen, depth + 1);
    }
    yield* rows(db, page.readUInt32BE(h + 8), seen, depth + 1);
    return;
  }
  if (type !== LEAF_TABLE) throw truncated(`sqlite: page ${pgno} has type ${type}, want a table b-tree page`);
  const ptrs = h + 8;
  if (ptrs + ncells * 2 > db.usable) throw truncated(`sqlite: page ${pgno} cell count ${ncells} too large`);
  for (let i = 0; i < ncells; i++) {
    const payload = await leafPayload(db, page, page.readUInt16BE(ptrs + i * 2), pgno);
    yield decodeRecord(payload);
  }
}

/** Reads a leaf cell's payload, following overflow pages (fileformat2 §1.6). */
async function leafPayload(db: Db, page: Buffer, cell: number, pgno: number): Promise<Buffer> {
  const [size, n1] = varint(page, cell, db.usable);
  const [, n2] = varint(page, cell + n1, db.usable); // rowid
  const start = cell + n1 + n2;
  if (size > HEADER_MAX_BYTES) throw truncated(`sqlite: payload of ${size} bytes over cap`);
  const U = db.usable;
  const X = U - 35;
  if (size <= X) {
    if (start + size > U) throw truncated(`sqlite: cell on page ${pgno} runs off the page`);
    return page.subarray(start, start + size);
  }
  const M = Math.floor(((U - 12) * 32) / 255) - 23;
  const K = M + ((size - M) % (U - 4));
  const local = K <= X ? K : M;
  if (start + local + 4 > U) throw truncated(`sqlite: cell on page ${pgno} runs off the page`);
  const parts = [page.subarray(start, start + local)];
  let have = local;
  let next = page.readUInt32BE(start + local);
  let steps = 0;
  while (have < size) {
    if (next === 0 || ++steps > db.pageCount) throw truncated("sqlite: overflow chain ends early");
    const ov = await readPage(db, next);
    const take = Math.min(U - 4, size - have);
    parts.push(ov.subarray(4, 4 + take));
    have += take;
    next = ov.readUInt32BE(0);
  }
  return Buffer.concat(parts, size);
}

/** Record format (fileformat2 §2.1): header of serial types, then the values. */
function decodeRecord(p: Buffer): Value[] {
  const [hlen, n] = varint(p, 0, p.length);
  if (hlen > p.length) throw truncated("sqlite: record header longer than record");
  const out: Value[] = [];
  let hp = n;
  let dp = hlen;
  while (hp < hlen) {
    const [st, k] = varint(p, hp, hlen);
    hp += k;
    const len = serialLength(st);
    if (dp + len > p.length) throw truncated("sqlite: record value runs past the record");
    out.push(serialValue(p, dp, st, len));
    dp += len;
  }
  return out;
}

function serialLength(st: number): number {
  if (st >= 12) return Math.floor((st - (st % 2 === 0 ? 12 : 13)) / 2);
  return [0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0][st] ?? 0;
}

function serialValue(p: Buffer, at: number, st: number, len: number): Value {
  if (st === 0) return null;
  if (st === 8) return 0;
  if (st === 9) return 1;
  if (st >= 1 && st <= 6) return len === 8 ? Number(p.readBigInt64BE(at)) : p.readIntBE(at, len);
  if (st === 7) return p.readDoubleBE(at);
  if (st >= 12 && st % 2 === 0) return p.subarray(at, at + len);
  if (st >= 13) return p.toString("utf8", at, at + len);
  throw truncated(`sqlite: reserved serial type ${st}`);
}

/** SQLite varint: 1-9 bytes, big-endian 7-bit groups, the 9th byte contributes 8 bits. */
function varint(b: Buffer, at: number, limit: number): [number, number] {
  let v = 0;
  for (let i = 0; i < 9; i++) {
    if (at + i >= Math.min(limit, b.length)) throw truncated("sqlite: varint runs off the buffer");
    const c = b[at + i] as number;
    if (i === 8) return [v * 256 + c, 9];
    v = v * 128 + (c & 0x7f);
    if ((c & 0x80) === 0) return [v, i + 1];
  }
  return [v, 9];
}
