import { opendir, open as openFile } from "node:fs/promises";
import { join, relative } from "node:path";
import yauzl from "yauzl";
import { crc32, inflateRawSync } from "node:zlib";
import type { Advisory, ParseWarning } from "./model.js";
import { parseOsvJson, type ParseOsvOptions } from "./osv.js";

/**
 * Streaming readers over local OSV exports: a directory tree of *.json records, or a zip such as
 * osv.dev's `<ecosystem>/all.zip`. One record is held in memory at a time; every record is
 * size-capped; a bad record (too big, invalid JSON, invalid OSV, unreadable entry) is reported as
 * an `{ error, entry }` item and reading goes on. Only a zip whose directory cannot be read ends
 * early, after one error item naming the zip. Pure local I/O: the caller does the DB upsert.
 */
export type IngestItem = { ok: Advisory; entry: string } | { error: string; entry: string };

export interface IngestOptions extends ParseOsvOptions {
  /** Largest record accepted, in bytes (default 8 MiB: Ubuntu kernel records reach a few MiB). */
  maxRecordBytes?: number;
  /** Directory walk depth cap (default 8). */
  maxDepth?: number;
}

const DEFAULT_MAX_RECORD = 8 * 1024 * 1024;

function describe(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/[\r\n]+/g, " ").slice(0, 300);
}

function parseItem(text: string, entry: string, opts: IngestOptions): IngestItem {
  try {
    return { ok: parseOsvJson(text, opts), entry };
  } catch (e) {
    return { error: describe(e), entry };
  }
}

/** Read at most `cap` bytes of a file; undefined when it is larger. */
async function readCapped(path: string, cap: number): Promise<string | undefined> {
  const fh = await openFile(path, "r");
  try {
    const { size } = await fh.stat();
    if (size > cap) return undefined;
    const buf = Buffer.alloc(size + 1);
    let off = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, off, buf.length - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
      if (off > size) return undefined; // grew while we read it
    }
    return buf.subarray(0, off).toString("utf8");
  } finally {
    await fh.close();
  }
}

/** Every `*.json` file under `dir` (symlinks not followed), in directory order. */
export async function* readOsvDir(dir: string, opts: IngestOptions = {}): AsyncGenerator<IngestItem> {
  const cap = opts.maxRecordBytes ?? DEFAULT_MAX_RECORD;
  const maxDepth = opts.maxDepth ?? 8;
  async function* walk(d: string, depth: number): AsyncGenerator<IngestItem> {
    const handle = await opendir(d);
    for await (const ent of handle) {
      const path = join(d, ent.name);
      const entry = relative(dir, path);
      if (ent.isDirectory()) {
        if (depth >= maxDepth) yield { error: `directory deeper than ${maxDepth} levels, skipped`, entry };
        else yield* walk(path, depth + 1);
        continue;
      }
      if (!ent.isFile() || !ent.name.endsWith(".json")) continue;
      let text: string | undefined;
      try {
        text = await readCapped(path, cap);
      } catch (e) {
        yield { error: `unreadable: ${describe(e)}`, entry };
        continue;
      }
      yield text === undefined ? { error: `record larger than ${cap} bytes`, entry } : parseItem(text, entry, opts);
    }
  }
  yield* walk(dir, 0);
}

type Zip = yauzl.ZipFile;

function openZip(path: string): Promise<Zip> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true, validateEntrySizes: true, strictFileNames: false }, (err, zip) => {
      if (err || !zip) reject(err ?? new Error("no zip handle"));
      else resolve(zip);
    });
  });
}

/**
 * Reads one entry into a string, refusing more than `cap` bytes whatever the header claims.
 * Small deflated entries (every OSV record) are read raw and inflated in one synchronous call
 * with a hard output cap: a zlib stream per entry cost more than the parse. Size and CRC-32 are
 * checked against the central directory, so a corrupt entry is still caught.
 */
function readEntry(zip: Zip, entry: yauzl.Entry, cap: number): Promise<string> {
  if (entry.compressionMethod === 8 && entry.compressedSize <= FAST_PATH_MAX && !entry.isEncrypted()) {
    return readSmallEntry(zip, entry, cap);
  }
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) return reject(err ?? new Error("no stream"));
      const chunks: Buffer[] = [];
      let total = 0;
      stream.on("data", (c: Buffer) => {
        total += c.length;
        if (total > cap) {
          stream.destroy(new Error(`record larger than ${cap} bytes`));
          return;
        }
        chunks.push(c);
      });
      stream.on("error", reject);
      stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    });
  });
}

const FAST_PATH_MAX = 1024 * 1024;

function readSmallEntry(zip: Zip, entry: yauzl.Entry, cap: number): Promise<string> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, { decompress: false } as yauzl.ZipFileOptions, (err, stream) => {
      if (err || !stream) return reject(err ?? new Error("no stream"));
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("error", reject);
      stream.on("end", () => {
        try {
          const raw = Buffer.concat(chunks);
          const out = inflateRawSync(raw, { maxOutputLength: cap + 1 });
          if (out.length > cap) throw new Error(`record larger than ${cap} bytes`);
          if (out.length !== entry.uncompressedSize) throw new Error(`size ${out.length} does not match the directory's ${entry.uncompressedSize}`);
          if ((crc32(out) >>> 0) !== (entry.crc32 >>> 0)) throw new Error("CRC-32 mismatch");
          resolve(out.toString("utf8"));
        } catch (e) {
          reject(e instanceof RangeError ? new Error(`record larger than ${cap} bytes`) : e);
        }
      });
    });
  });
}

/** Every `*.json` entry of a zip, read one at a time (yauzl lazyEntries). */
export async function* readOsvZip(zipPath: string, opts: IngestOptions = {}): AsyncGenerator<IngestItem> {
  const cap = opts.maxRecordBytes ?? DEFAULT_MAX_RECORD;
  let zip: Zip;
  try {
    zip = await openZip(zipPath);
  } catch (e) {
    yield { error: `zip unreadable: ${describe(e)}`, entry: zipPath };
    return;
  }
  // Event → pull bridge. The error listener stays attached for the zip's lifetime so a late
  // 'error' (corrupt central directory) can never crash the process.
  let pending: { resolve: (e: yauzl.Entry | null) => void; reject: (e: unknown) => void } | undefined;
  let failure: unknown;
  zip.on("entry", (e: yauzl.Entry) => pending?.resolve(e));
  zip.on("end", () => pending?.resolve(null));
  zip.on("error", (e: unknown) => {
    failure = e;
    pending?.reject(e);
  });
  const next = (): Promise<yauzl.Entry | null> =>
    failure !== undefined
      ? Promise.reject(failure)
      : new Promise((resolve, reject) => {
          pending = { resolve, reject };
          zip.readEntry();
        });
  try {
    for (;;) {
      let entry: yauzl.Entry | null;
      try {
        entry = await next();
      } catch (e) {
        yield { error: `zip corrupt: ${describe(e)}`, entry: zipPath };
        return;
      }
      if (entry === null) return;
      const name = entry.fileName;
      if (name.endsWith("/") || !name.endsWith(".json")) continue;
      if (entry.uncompressedSize > cap) {
        yield { error: `record larger than ${cap} bytes`, entry: name };
        continue;
      }
      let text: string;
      try {
        text = await readEntry(zip, entry, cap);
      } catch (e) {
        yield { error: `entry unreadable: ${describe(e)}`, entry: name };
        continue;
      }
      yield parseItem(text, name, opts);
    }
  } finally {
    if (zip.isOpen) zip.close();
  }
}

export type { ParseWarning };
