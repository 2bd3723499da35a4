import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { LookoutError, type LayerDescriptor } from "@lookout/domain";
import { DigestVerifier, assertDigest, sha256Digest, verifyBuffer } from "../digest.js";
import { READ_CHUNK } from "../layer/decompress.js";
import { MT } from "../media-types.js";
import { parseManifest, type Descriptor } from "../manifest.js";
import { resolveFromStore, type ManifestStore, type ResolveOptions, type ResolveResult } from "../source.js";

export const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const REF_NAME = "org.opencontainers.image.ref.name";

function notFound(what: string): LookoutError {
  return new LookoutError("LKT_ERR_BLOB_NOT_FOUND", what);
}

/** Read a file fully, refusing anything larger than `max` before reading it. */
export async function readCapped(path: string, max: number, what: string): Promise<Buffer> {
  const fh = await open(path, "r").catch((e: NodeJS.ErrnoException) => {
    throw e.code === "ENOENT" ? notFound(`${what} not found`) : new LookoutError("LKT_ERR_SOURCE_INVALID", `${what}: ${e.message}`, { cause: e });
  });
  try {
    const { size } = await fh.stat();
    if (size > max) throw new LookoutError("LKT_ERR_MANIFEST_TOO_LARGE", `${what} is ${size} bytes, cap ${max}`);
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/** Blob storage of an OCI image layout directory (`blobs/<alg>/<hex>`). */
export class OciLayoutStore implements ManifestStore {
  readonly name: string;
  constructor(
    private readonly dir: string,
    private readonly maxManifestBytes = DEFAULT_MAX_MANIFEST_BYTES,
  ) {
    this.name = `oci:${dir}`;
  }

  blobPath(digest: string): string {
    assertDigest(digest);
    const [alg, hex] = digest.split(":") as [string, string];
    return join(this.dir, "blobs", alg, hex);
  }

  private async index(): Promise<Buffer> {
    const layoutFile = await readCapped(join(this.dir, "oci-layout"), 4096, "oci-layout file").catch((e) => {
      throw new LookoutError("LKT_ERR_SOURCE_INVALID", `${this.dir} is not an OCI image layout`, { cause: e });
    });
    if (!/"imageLayoutVersion"\s*:\s*"1\./.test(layoutFile.toString("utf8"))) {
      throw new LookoutError("LKT_ERR_SOURCE_INVALID", `${this.dir}: unsupported oci-layout version`);
    }
    return readCapped(join(this.dir, "index.json"), this.maxManifestBytes, "index.json");
  }

  /** `ref`: a digest, a tag (the ref.name annotation), or "" for the layout's only image / whole index. */
  async getManifest(ref: string): Promise<{ bytes: Buffer; mediaType: string; digest: string }> {
    if (ref.includes(":") && /^sha(256|512):/.test(ref)) {
      const bytes = await readCapped(this.blobPath(ref), this.maxManifestBytes, `manifest ${ref}`);
      verifyBuffer(bytes, ref, `manifest ${ref}`);
      return { bytes, mediaType: "", digest: ref };
    }
    const indexBytes = await this.index();
    const index = parseManifest(indexBytes, MT.ociIndex);
    if (index.kind !== "index") throw new LookoutError("LKT_ERR_SOURCE_INVALID", "index.json is not an image index");
    const raw = JSON.parse(indexBytes.toString("utf8")) as { manifests: { annotations?: Record<string, string> }[] };
    if (ref === "") {
      if (index.manifests.length === 1) return this.getManifest(index.manifests[0]!.digest);
      return { bytes: indexBytes, mediaType: MT.ociIndex, digest: sha256Digest(indexBytes) };
    }
    const i = raw.manifests.findIndex((m) => m.annotations?.[REF_NAME] === ref);
    if (i < 0) throw notFound(`${this.name}: no image tagged "${ref}"`);
    return this.getManifest(index.manifests[i]!.digest);
  }

  async getBlob(desc: Descriptor): Promise<Buffer> {
    const bytes = await readCapped(this.blobPath(desc.digest), Math.max(this.maxManifestBytes, 8 * 1024 * 1024), `blob ${desc.digest}`);
    verifyBuffer(bytes, desc.digest, `blob ${desc.digest}`);
    return bytes;
  }

  async openBlob(desc: LayerDescriptor): Promise<Readable> {
    const path = this.blobPath(desc.digest);
    await stat(path).catch(() => {
      throw notFound(`${this.name}: blob ${desc.digest} missing`);
    });
    const verifier = new DigestVerifier(desc.digest, desc.size, `blob ${desc.digest}`);
    const file = createReadStream(path, { highWaterMark: READ_CHUNK });
    file.on("error", (e) => verifier.destroy(e));
    return file.pipe(verifier);
  }
}

/** Open an OCI image layout directory. `ref` as in `OciLayoutStore.getManifest`. */
export function openOciLayout(dir: string, ref = "", opts: ResolveOptions & { maxManifestBytes?: number } = {}): Promise<ResolveResult> {
  return resolveFromStore(new OciLayoutStore(dir, opts.maxManifestBytes), ref, opts);
}

