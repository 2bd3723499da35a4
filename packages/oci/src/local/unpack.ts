import { createReadStream, createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";
import { LookoutError } from "@lookout/domain";
import { READ_CHUNK } from "../layer/decompress.js";
import { normalizeEntryPath, resolveInRoot } from "../layer/paths.js";

export interface UnpackedArchive {
  /** Resolve an archive path (following the archive's own symlinks) to its host file. */
  hostPath(path: string): string | undefined;
  paths(): string[];
}

export interface UnpackLimits {
  maxEntries: number;
  maxBytes: number;
}

/**
 * Unpack a (plain) image archive tar into `dest`. Files are written under sequence numbers,
 * never under their archive names, so nothing in the archive can name a host path.
 */
export async function unpackArchive(tarPath: string, dest: string, limits: UnpackLimits): Promise<UnpackedArchive> {
  await mkdir(dest, { recursive: true, mode: 0o700 });
  const files = new Map<string, string>();
  const links = new Map<string, string>();
  const extract = tar.extract();
  let entries = 0;
  let bytes = 0;
  const consume = async () => {
    for await (const entry of extract) {
      const h = entry.header;
      if (++entries > limits.maxEntries) throw new LookoutError("LKT_ERR_SOURCE_INVALID", `${tarPath}: more than ${limits.maxEntries} entries`);
      const path = normalizeEntryPath(h.name);
      if (h.type === "file" || h.type === "contiguous-file") {
        bytes += h.size ?? 0;
        if (bytes > limits.maxBytes) throw new LookoutError("LKT_ERR_SOURCE_INVALID", `${tarPath}: more than ${limits.maxBytes} bytes`);
        const host = join(dest, String(files.size + 1));
        await pipeline(entry, createWriteStream(host, { flags: "wx", mode: 0o600 }));
        files.set(path, host);
      } else {
        if (h.type === "symlink") links.set(path, h.linkname ?? "");
        if (h.type === "link") links.set(path, "/" + normalizeEntryPath(h.linkname ?? "").slice(1));
        entry.resume();
      }
    }
  };
  const consuming = consume();
  const [f, c] = await Promise.allSettled([pipeline(createReadStream(tarPath, { highWaterMark: READ_CHUNK }), extract), consuming]);
  if (c.status === "rejected" || f.status === "rejected") {
    const e = c.status === "rejected" ? c.reason : (f as PromiseRejectedResult).reason;
    if (e instanceof LookoutError) throw e;
    throw new LookoutError("LKT_ERR_SOURCE_INVALID", `${tarPath}: ${(e as Error).message}`, { cause: e });
  }
  return {
    hostPath(p) {
      const r = resolveInRoot(normalizeEntryPath(p), (q) => links.get(q));
      return r === undefined ? undefined : files.get(r);
    },
    paths: () => [...files.keys()],
  };
}
