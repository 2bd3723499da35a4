import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Platform } from "@lookout/domain";
import { sha256Digest } from "../digest.js";
import { MT } from "../media-types.js";
import { LAYER_MEDIA_TYPE, compressLayer, makeTar, type Compression, type TarEntry } from "./tar.js";

export interface TestLayer {
  entries: TarEntry[];
  compression?: Compression;
}

export interface TestImage {
  layers: TestLayer[];
  platform?: Platform;
  labels?: Record<string, string>;
  /** Override the config media type (OCI artifacts). */
  configMediaType?: string;
}

export interface WrittenImage {
  manifestDigest: string;
  manifestBytes: Buffer;
  layerDigests: string[];
  layerBlobs: Buffer[];
}

async function putBlob(dir: string, bytes: Buffer): Promise<string> {
  const digest = sha256Digest(bytes);
  await mkdir(join(dir, "blobs", "sha256"), { recursive: true });
  await writeFile(join(dir, "blobs", "sha256", digest.slice(7)), bytes);
  return digest;
}

/** Write one image's blobs and manifest into an OCI layout's blob store. */
export async function writeImage(dir: string, img: TestImage): Promise<WrittenImage> {
  const platform = img.platform ?? { os: "linux", architecture: "amd64" };
  const layerBlobs: Buffer[] = [];
  const layers = [];
  const diffIds = [];
  for (const l of img.layers) {
    const t = await makeTar(l.entries);
    const blob = compressLayer(t, l.compression ?? "gzip");
    layerBlobs.push(blob);
    diffIds.push(sha256Digest(t));
    layers.push({ mediaType: LAYER_MEDIA_TYPE[l.compression ?? "gzip"], digest: await putBlob(dir, blob), size: blob.length });
  }
  const config = Buffer.from(
    JSON.stringify({
      created: "2026-01-01T00:00:00Z",
      ...platform,
      config: { Env: ["PATH=/usr/bin", "SECRET=x"], Labels: img.labels ?? {}, Cmd: ["/bin/sh"] },
      rootfs: { type: "layers", diff_ids: diffIds },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      config: { mediaType: img.configMediaType ?? MT.ociConfig, digest: await putBlob(dir, config), size: config.length },
      layers,
    }),
  );
  const manifestDigest = await putBlob(dir, manifest);
  return { manifestDigest, manifestBytes: manifest, layerDigests: layers.map((l) => l.digest), layerBlobs };
}

/**
 * Write an OCI image layout with one tag. Several images become a multi-platform index
 * (tagged), one image is tagged directly.
 */
export async function writeOciLayout(dir: string, tag: string, images: TestImage[]): Promise<WrittenImage[]> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  const written = [];
  for (const img of images) written.push(await writeImage(dir, img));
  let top: { mediaType: string; digest: string; size: number };
  if (images.length === 1) {
    top = { mediaType: MT.ociManifest, digest: written[0]!.manifestDigest, size: written[0]!.manifestBytes.length };
  } else {
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MT.ociIndex,
        manifests: written.map((w, i) => ({
          mediaType: MT.ociManifest,
          digest: w.manifestDigest,
          size: w.manifestBytes.length,
          platform: images[i]!.platform ?? { os: "linux", architecture: "amd64" },
        })),
      }),
    );
    top = { mediaType: MT.ociIndex, digest: await putBlob(dir, index), size: index.length };
  }
  const index = { schemaVersion: 2, mediaType: MT.ociIndex, manifests: [{ ...top, annotations: { "org.opencontainers.image.ref.name": tag } }] };
  await writeFile(join(dir, "index.json"), JSON.stringify(index));
  return written;
}
