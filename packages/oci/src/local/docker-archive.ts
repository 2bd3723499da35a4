import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { LookoutError } from "@lookout/domain";
import { sha256Digest } from "../digest.js";
import { sniffCompression } from "../layer/decompress.js";
import { parseImageConfig } from "../image-config.js";
import { MT } from "../media-types.js";
import type { ManifestStore } from "../source.js";
import { openVerified } from "./archives.js";
import { readCapped } from "./layout.js";
import type { UnpackedArchive } from "./unpack.js";

interface SaveEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

const LAYER_TYPE = { gzip: "application/vnd.docker.image.rootfs.diff.tar.gzip", zstd: "application/vnd.docker.image.rootfs.diff.tar.zstd", none: "application/vnd.docker.image.rootfs.diff.tar" };

/** "docker.io/library/app:v1", "library/app:v1" and "app:v1" name the same image. */
function sameTag(a: string, b: string): boolean {
  const norm = (t: string) => t.replace(/^(docker\.io|index\.docker\.io)\//, "").replace(/^library\//, "");
  return norm(a) === norm(b);
}

function invalid(msg: string): LookoutError {
  return new LookoutError("LKT_ERR_SOURCE_INVALID", msg);
}

async function head(path: string): Promise<Buffer> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fh.read(buf, 0, 512, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function fileDigest(path: string): Promise<{ digest: string; size: number }> {
  const h = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: `sha256:${h.digest("hex")}`, size };
}

/**
 * Present a `docker save` archive as a store holding one synthesised Docker v2 manifest per
 * image. Layer digests are the uncompressed diff_ids when the layer tar is uncompressed (the
 * usual case), else the file's own sha256; both are verified when a layer is read.
 */
export async function dockerArchiveStore(name: string, files: UnpackedArchive, maxManifestBytes: number): Promise<ManifestStore> {
  const manifestPath = files.hostPath("manifest.json");
  if (!manifestPath) throw invalid(`${name}: no manifest.json (not a docker-archive)`);
  let entries: SaveEntry[];
  try {
    entries = JSON.parse((await readCapped(manifestPath, maxManifestBytes, "manifest.json")).toString("utf8")) as SaveEntry[];
  } catch (e) {
    if (e instanceof LookoutError) throw e;
    throw invalid(`${name}: manifest.json is not JSON`);
  }
  if (!Array.isArray(entries) || entries.length === 0) throw invalid(`${name}: manifest.json lists no image`);
  const blobs = new Map<string, string>();

  const build = async (e: SaveEntry) => {
    const cfgHost = typeof e.Config === "string" ? files.hostPath(e.Config) : undefined;
    if (!cfgHost || !Array.isArray(e.Layers)) throw invalid(`${name}: manifest.json entry malformed`);
    const cfgBytes = await readCapped(cfgHost, maxManifestBytes * 2, "image config");
    const cfgDigest = sha256Digest(cfgBytes);
    blobs.set(cfgDigest, cfgHost);
    const { diffIds } = parseImageConfig(cfgBytes);
    const layers = [];
    for (const [i, p] of e.Layers.entries()) {
      const host = typeof p === "string" ? files.hostPath(p) : undefined;
      if (!host) throw invalid(`${name}: layer ${String(p).slice(0, 100)} missing from the archive`);
      const kind = sniffCompression(await head(host));
      if (kind === "unknown") throw new LookoutError("LKT_ERR_LAYER_MEDIA_TYPE", `${name}: layer ${p} is neither tar, gzip nor zstd`);
      const { digest, size } = kind === "none" && diffIds[i] ? { digest: diffIds[i]!, size: (await stat(host)).size } : await fileDigest(host);
      blobs.set(digest, host);
      layers.push({ mediaType: LAYER_TYPE[kind], digest, size });
    }
    const manifest = {
      schemaVersion: 2,
      mediaType: MT.dockerManifest,
      config: { mediaType: MT.dockerConfig, digest: cfgDigest, size: cfgBytes.length },
      layers,
    };
    const bytes = Buffer.from(JSON.stringify(manifest));
    return { bytes, mediaType: MT.dockerManifest, digest: sha256Digest(bytes) };
  };

  return {
    name,
    async getManifest(ref) {
      const e = ref === "" && entries.length === 1 ? entries[0] : entries.find((x) => x.RepoTags?.some((t) => sameTag(t, ref)));
      if (!e) throw new LookoutError("LKT_ERR_BLOB_NOT_FOUND", `${name}: no image tagged "${ref}"`);
      return build(e);
    },
    async getBlob(desc) {
      const host = blobs.get(desc.digest);
      if (!host) throw new LookoutError("LKT_ERR_BLOB_NOT_FOUND", `${name}: blob ${desc.digest} not in the archive`);
      return readCapped(host, maxManifestBytes * 2, "image config");
    },
    async openBlob(desc) {
      const host = blobs.get(desc.digest);
      if (!host) throw new LookoutError("LKT_ERR_BLOB_NOT_FOUND", `${name}: blob ${desc.digest} not in the archive`);
      return openVerified(host, desc);
    },
  };
}
