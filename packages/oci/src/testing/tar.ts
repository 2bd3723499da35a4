import { gzipSync } from "node:zlib";
import tar from "tar-stream";
import { compress as zstdCompress } from "zstd-napi";

/** One entry of a synthetic layer tar, for tests and the benchmark. */
export interface TarEntry {
  name: string;
  type?: "file" | "directory" | "symlink" | "link" | "character-device" | "block-device" | "fifo";
  content?: string | Buffer;
  linkname?: string;
  mode?: number;
}

/** Build a tar with tar-stream (hostile names are written verbatim). */
export async function makeTar(entries: TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    const type = e.type ?? "file";
    const body = e.content === undefined ? Buffer.alloc(0) : Buffer.from(e.content);
    await new Promise<void>((resolve, reject) => {
      const header = { name: e.name, type, mtime: new Date(0), mode: e.mode ?? (type === "directory" ? 0o755 : 0o644), linkname: e.linkname, size: type === "file" ? body.length : 0 };
      if (type === "file") pack.entry(header, body, (err) => (err ? reject(err) : resolve()));
      else pack.entry(header, (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export type Compression = "gzip" | "zstd" | "none";

export function compressLayer(tarBytes: Buffer, c: Compression): Buffer {
  if (c === "gzip") return gzipSync(tarBytes);
  if (c === "zstd") return zstdCompress(tarBytes);
  return tarBytes;
}

export const LAYER_MEDIA_TYPE: Record<Compression, string> = {
  gzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  zstd: "application/vnd.oci.image.layer.v1.tar+zstd",
  none: "application/vnd.oci.image.layer.v1.tar",
};
