import { LookoutError } from "@lookout/domain";
import yauzl, { type Entry, type ZipFile } from "yauzl";

/** Caps on what one archive (and everything nested in it) may cost. */
export interface ArchiveLimits {
  /** Central-directory entries per archive. */
  maxEntries: number;
  /** Bytes of one metadata member (pom.properties, MANIFEST.MF). */
  maxMetadataBytes: number;
  /** Uncompressed bytes of one nested archive held in memory. */
  maxNestedBytes: number;
  /** Uncompressed bytes read across the whole top-level file. */
  maxTotalBytes: number;
  /** Nesting levels below the top-level archive. */
  maxDepth: number;
  /** Uncompressed/compressed ratio above which a member is treated as a bomb. */
  maxRatio: number;
}

export const DEFAULT_LIMITS: ArchiveLimits = {
  maxEntries: 200_000,
  maxMetadataBytes: 1024 * 1024,
  maxNestedBytes: 64 * 1024 * 1024,
  maxTotalBytes: 512 * 1024 * 1024,
  maxDepth: 4,
  maxRatio: 200,
};

export function limitError(what: string, details?: Record<string, unknown>): LookoutError {
  return new LookoutError("LKT_ERR_ARCHIVE_LIMIT", `java: ${what}`, details ? { details } : {});
}

/** Opens a zip from disk (random access: only the central directory and wanted members are read). */
export async function openZip(source: { hostPath: string } | { buffer: Buffer }, label: string, limits: ArchiveLimits): Promise<ZipFile> {
  const opts = { lazyEntries: true, autoClose: false, validateEntrySizes: true, decodeStrings: true };
  let zip: ZipFile;
  try {
    zip = "hostPath" in source ? await yauzl.openPromise(source.hostPath, opts) : await yauzl.fromBufferPromise(source.buffer, opts);
  } catch (cause) {
    throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `java: ${label} is not a readable zip archive`, { cause });
  }
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw limitError(`${label} has ${zip.entryCount} entries, over the ${limits.maxEntries} cap`);
  }
  return zip;
}

/** Byte budget shared by one top-level archive and everything nested in it (bounds CPU time). */
export class Budget {
  used = 0;
  exhausted = false;
  constructor(readonly limits: ArchiveLimits) {}
  take(n: number, label: string): void {
    if (this.used + n > this.limits.maxTotalBytes) {
      this.exhausted = true;
      throw limitError(`${label}: archive contents exceed ${this.limits.maxTotalBytes} bytes`, { budget: true });
    }
    this.used += n;
  }
}

/**
 * Reads one member fully, refusing before inflating when its declared size is over `cap` or
 * its compression ratio looks like a bomb; yauzl stops a member that inflates past its
 * declared size, so a lying header cannot get past the cap either.
 */
export async function readMember(zip: ZipFile, entry: Entry, cap: number, budget: Budget, label: string): Promise<Buffer> {
  const name = `${label}!/${entry.fileName}`;
  if (entry.uncompressedSize > cap) throw limitError(`${name} is ${entry.uncompressedSize} bytes, over the ${cap} byte cap`);
  if (entry.uncompressedSize > 1024 * 1024 && entry.uncompressedSize > budget.limits.maxRatio * Math.max(entry.compressedSize, 1)) {
    throw limitError(`${name} compresses ${entry.compressedSize} bytes to ${entry.uncompressedSize}: zip bomb`);
  }
  budget.take(entry.uncompressedSize, label);
  let stream;
  try {
    stream = await zip.openReadStreamPromise(entry);
  } catch (cause) {
    throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `java: cannot read ${name}`, { cause });
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > cap) {
        stream.destroy();
        throw limitError(`${name} inflates past the ${cap} byte cap`);
      }
      chunks.push(chunk);
    }
  } catch (cause) {
    if (cause instanceof LookoutError) throw cause;
    throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `java: corrupt member ${name}`, { cause });
  }
  return Buffer.concat(chunks, total);
}
