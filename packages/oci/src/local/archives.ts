import { createReadStream } from "node:fs";
import { mkdir, rename } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { type LayerDescriptor } from "@lookout/domain";
import { DigestVerifier } from "../digest.js";
import { READ_CHUNK } from "../layer/decompress.js";
import { OciLayoutStore } from "./layout.js";
import { resolveFromStore, type ResolveOptions, type ResolveResult } from "../source.js";
import { dockerArchiveStore } from "./docker-archive.js";
import { unpackArchive, type UnpackLimits } from "./unpack.js";

export interface ArchiveOptions extends ResolveOptions {
  /** Where the archive is unpacked; must be inside the scan's scratch directory. */
  scratchDir: string;
  limits?: Partial<UnpackLimits>;
  maxManifestBytes?: number;
}

const DEFAULT_UNPACK: UnpackLimits = { maxEntries: 100_000, maxBytes: 64 * 1024 ** 3 };
const LAYOUT_NAME = /^\/(oci-layout|index\.json|blobs\/(sha256\/[a-f0-9]{64}|sha512\/[a-f0-9]{128}))$/;

/** `oci-archive:` — a tar of an OCI image layout (what skopeo and buildah write). */
export async function openOciArchive(tarPath: string, ref: string, opts: ArchiveOptions): Promise<ResolveResult> {
  const unpacked = await unpackArchive(tarPath, join(opts.scratchDir, "files"), { ...DEFAULT_UNPACK, ...opts.limits });
  const dir = join(opts.scratchDir, "layout");
  for (const p of unpacked.paths()) {
    // Only the layout's fixed names (validated by pattern) become real paths.
    if (!LAYOUT_NAME.test(p)) continue;
    const dest = join(dir, p.slice(1));
    await mkdir(join(dest, ".."), { recursive: true, mode: 0o700 });
    await rename(unpacked.hostPath(p)!, dest);
  }
  const store = new OciLayoutStore(dir, opts.maxManifestBytes);
  Object.assign(store, { name: `oci-archive:${tarPath}` });
  return resolveFromStore(store, ref, opts);
}

/** `docker-archive:` — the `docker save` format (manifest.json + config + layer tars). */
export async function openDockerArchive(tarPath: string, ref: string, opts: ArchiveOptions): Promise<ResolveResult> {
  const unpacked = await unpackArchive(tarPath, join(opts.scratchDir, "files"), { ...DEFAULT_UNPACK, ...opts.limits });
  const store = await dockerArchiveStore(`docker-archive:${tarPath}`, unpacked, opts.maxManifestBytes ?? 4 * 1024 * 1024);
  return resolveFromStore(store, ref, opts);
}

/** A verified read stream of a file whose digest is known. */
export function openVerified(hostPath: string, desc: LayerDescriptor): Readable {
  const verifier = new DigestVerifier(desc.digest, desc.size, `blob ${desc.digest}`);
  const file = createReadStream(hostPath, { highWaterMark: READ_CHUNK });
  file.on("error", (e) => verifier.destroy(e));
  return file.pipe(verifier);
}

