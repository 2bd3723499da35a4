import type { Readable } from "node:stream";
import { LookoutError, type ImageConfigSummary, type LayerDescriptor, type Platform } from "@lookout/domain";
import { parseImageConfig } from "./image-config.js";
import { artifactTypeOf, imageEntries, parseManifest, selectPlatform, type Descriptor, type ImageManifest } from "./manifest.js";

/**
 * One image (one platform) ready to be read: the registry client and the local sources
 * (OCI layout, oci-archive, docker-archive) all produce this.
 */
export interface ImageSource {
  /** Where it came from, for logs and errors ("127.0.0.1:5000/app@sha256:…", "oci:/tmp/x:tag"). */
  readonly name: string;
  readonly manifestDigest: string;
  readonly manifest: ImageManifest;
  readonly configDigest: string;
  readonly config: ImageConfigSummary;
  readonly platform: Platform | undefined;
  /** Bottom layer first. */
  readonly layers: LayerDescriptor[];
  /**
   * The raw (still compressed) blob of one of `layers`. The stream fails with
   * LKT_ERR_DIGEST_MISMATCH at its end when the bytes do not match the descriptor.
   */
  openLayer(layer: LayerDescriptor, opts?: { signal?: AbortSignal }): Promise<Readable>;
}

export type ResolveResult =
  | { kind: "images"; images: ImageSource[]; indexDigest?: string }
  /** The reference names an OCI artifact (Helm chart, signature, SBOM...), not a runnable image. */
  | { kind: "not-an-image"; manifestDigest: string; artifactType: string };

export interface ResolveOptions {
  /** Default linux/amd64. "all" returns every image of an index, each scanned on its own. */
  platform?: Platform | "all";
}

/** What a backend (registry, layout directory) must offer for `resolveFromStore`. */
export interface ManifestStore {
  readonly name: string;
  /** `ref` is a tag or a digest. Digest-addressed content must be verified by the store. */
  getManifest(ref: string): Promise<{ bytes: Buffer; mediaType: string; digest: string }>;
  /** Whole small blob (config), size-capped and digest-verified. */
  getBlob(desc: Descriptor): Promise<Buffer>;
  openBlob(desc: LayerDescriptor, opts?: { signal?: AbortSignal }): Promise<Readable>;
}

/** Follow a reference through an index (if any) to image sources. */
export async function resolveFromStore(store: ManifestStore, ref: string, opts: ResolveOptions = {}): Promise<ResolveResult> {
  const top = await store.getManifest(ref);
  const parsed = parseManifest(top.bytes, top.mediaType);
  if (parsed.kind === "manifest") {
    const art = artifactTypeOf(parsed);
    if (art) return { kind: "not-an-image", manifestDigest: top.digest, artifactType: art };
    return { kind: "images", images: [await imageFrom(store, parsed, top.digest)] };
  }
  const picks = opts.platform === "all" ? imageEntries(parsed) : [selectPlatform(parsed, opts.platform)];
  const images: ImageSource[] = [];
  for (const d of picks) {
    const child = await store.getManifest(d.digest);
    const m = parseManifest(child.bytes, child.mediaType);
    if (m.kind !== "manifest") throw new LookoutError("LKT_ERR_MANIFEST_UNSUPPORTED", `nested index ${d.digest} inside an index`);
    if (artifactTypeOf(m)) {
      if (opts.platform === "all") continue;
      return { kind: "not-an-image", manifestDigest: d.digest, artifactType: artifactTypeOf(m)! };
    }
    images.push(await imageFrom(store, m, d.digest, d.platform));
  }
  return { kind: "images", images, indexDigest: top.digest };
}

async function imageFrom(store: ManifestStore, m: ImageManifest, digest: string, indexPlatform?: Platform): Promise<ImageSource> {
  const cfg = parseImageConfig(await store.getBlob(m.config));
  const known = new Set(m.layers.map((l) => l.digest));
  return {
    name: `${store.name}@${digest}`,
    manifestDigest: digest,
    manifest: m,
    configDigest: m.config.digest,
    config: cfg.summary,
    platform: cfg.platform ?? indexPlatform,
    layers: m.layers,
    openLayer(layer, o) {
      if (!known.has(layer.digest)) return Promise.reject(new LookoutError("LKT_ERR_BLOB_NOT_FOUND", `${layer.digest} is not a layer of ${digest}`));
      return store.openBlob(layer, o);
    },
  };
}
