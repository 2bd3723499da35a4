import { opendir, open as openFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { Advisory, ParseWarning } from "./model.js";
import { parseOsvJson, type ParseOsvOptions } from "./osv.js";
import { ZipReader, type ZipEntry } from "./zip.js";

/**
 * Streaming readers over local OSV exports: a directory tree of *.json records, or a zip such as
 * osv.dev's `<ecosystem>/all.zip`. One record is held in memory at a time; every record is
 * size-capped; a bad record (too big, invalid JSON, invalid OSV, unreadable entry) is reported as
 * an `{ error, entry }` item and reading goes on. Only a zip whose directory cannot be read ends
 * early, after one error item naming the zip. Pure local I/O: the caller does the DB upsert.
 */
export type IngestItem = { ok: Advisory; entry: string; bytes: number } | { error: string; entry: string };

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
    return { ok: parseOsvJson(text, opts), entry, bytes: text.length };
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

/**
 * Every `*.json` entry of a zip, read one at a time in directory order (see `ZipReader`). An
 * archive that cannot be opened gives one `zip unreadable` item, a directory that breaks midway
 * one `zip corrupt` item after the entries before it; both name the zip itself.
 */
export async function* readOsvZip(zipPath: string, opts: IngestOptions = {}): AsyncGenerator<IngestItem> {
  const cap = opts.maxRecordBytes ?? DEFAULT_MAX_RECORD;
  let zip: ZipReader;
  try {
    zip = await ZipReader.open(zipPath);
  } catch (e) {
    yield { error: `zip unreadable: ${describe(e)}`, entry: zipPath };
    return;
  }
  try {
    const data = zip.dataWindow();
    const entries = zip.entries();
    for (;;) {
      let next: IteratorResult<ZipEntry>;
      try {
        next = await entries.next();
      } catch (e) {
        yield { error: `zip corrupt: ${describe(e)}`, entry: zipPath };
        return;
      }
      if (next.done) return;
      const entry = next.value;
      const name = entry.name;
      if (name.endsWith("/") || !name.endsWith(".json")) continue;
      if (entry.uncompressedSize > cap) {
        yield { error: `record larger than ${cap} bytes`, entry: name };
        continue;
      }
      let text: string;
      try {
        text = await zip.read(data, entry, cap);
      } catch (e) {
        yield { error: `entry unreadable: ${describe(e)}`, entry: name };
        continue;
      }
      yield parseItem(text, name, opts);
    }
  } finally {
    await zip.close();
  }
}

export type { ParseWarning };
