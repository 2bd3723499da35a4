import { LookoutError, type LayerDescriptor, type Platform } from "@lookout/domain";
import { assertDigest } from "./digest.js";
import { MT, isImageConfigType, layerCompression } from "./media-types.js";

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  artifactType?: string;
  /** `org.opencontainers.image.ref.name` (an OCI layout's tag), printable and at most 128 characters. */
  refName?: string;
}

export interface ImageManifest {
  kind: "manifest";
  mediaType: string;
  config: Descriptor;
  layers: LayerDescriptor[];
  artifactType?: string;
}

export interface ImageIndex {
  kind: "index";
  mediaType: string;
  manifests: Descriptor[];
}

export type ParsedManifest = ImageManifest | ImageIndex;

function invalid(msg: string): LookoutError {
  return new LookoutError("LKT_ERR_MANIFEST_INVALID", msg);
}

function descriptor(v: unknown, where: string): Descriptor {
  if (typeof v !== "object" || v === null) throw invalid(`${where}: descriptor is not an object`);
  const o = v as Record<string, unknown>;
  if (typeof o.mediaType !== "string") throw invalid(`${where}: descriptor has no mediaType`);
  if (typeof o.digest !== "string") throw invalid(`${where}: descriptor has no digest`);
  if (typeof o.size !== "number" || !Number.isSafeInteger(o.size) || o.size < 0) throw invalid(`${where}: descriptor size invalid`);
  try {
    assertDigest(o.digest);
  } catch (e) {
    throw invalid(`${where}: ${(e as Error).message}`);
  }
  const d: Descriptor = { mediaType: o.mediaType, digest: o.digest, size: o.size };
  const p = o.platform as Record<string, unknown> | undefined;
  if (p && typeof p.os === "string" && typeof p.architecture === "string") {
    d.platform = { os: p.os, architecture: p.architecture, ...(typeof p.variant === "string" ? { variant: p.variant } : {}) };
  }
  if (typeof o.artifactType === "string") d.artifactType = o.artifactType;
  const ref = (o.annotations as Record<string, unknown> | undefined)?.["org.opencontainers.image.ref.name"];
  if (typeof ref === "string" && /^[\x21-\x7e]{1,128}$/.test(ref)) d.refName = ref;
  return d;
}

/**
 * Parse manifest bytes. `headerType` is the Content-Type the registry sent (may be empty for
 * local sources); the document's own `mediaType` wins when present. Schema 1 and unknown types
 * give LKT_ERR_MANIFEST_UNSUPPORTED.
 */
export function parseManifest(bytes: Buffer, headerType = ""): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString("utf8")) as Record<string, unknown>;
  } catch {
    throw invalid("manifest is not valid JSON");
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw invalid("manifest is not a JSON object");
  const declared = typeof doc.mediaType === "string" ? doc.mediaType : headerType.split(";")[0]!.trim();
  if (doc.schemaVersion === 1 || declared === MT.dockerSchema1 || declared === MT.dockerSchema1Signed) {
    throw new LookoutError("LKT_ERR_MANIFEST_UNSUPPORTED", "Docker schema 1 manifests are not supported; re-push the image with a current client");
  }
  if (doc.schemaVersion !== 2) throw invalid(`unexpected schemaVersion ${String(doc.schemaVersion)}`);
  // OCI allows mediaType to be absent: infer from the shape.
  const mediaType = declared || (Array.isArray(doc.manifests) ? MT.ociIndex : MT.ociManifest);
  if (mediaType === MT.ociIndex || mediaType === MT.dockerList) {
    if (!Array.isArray(doc.manifests)) throw invalid("index has no manifests array");
    return { kind: "index", mediaType, manifests: doc.manifests.map((m, i) => descriptor(m, `manifests[${i}]`)) };
  }
  if (mediaType === MT.ociManifest || mediaType === MT.dockerManifest) {
    if (!Array.isArray(doc.layers)) throw invalid("manifest has no layers array");
    const config = descriptor(doc.config, "config");
    const layers = doc.layers.map((l, i) => {
      const d = descriptor(l, `layers[${i}]`);
      return { digest: d.digest, mediaType: d.mediaType, size: d.size };
    });
    const m: ImageManifest = { kind: "manifest", mediaType, config, layers };
    if (typeof doc.artifactType === "string") m.artifactType = doc.artifactType;
    return m;
  }
  throw new LookoutError("LKT_ERR_MANIFEST_UNSUPPORTED", `manifest media type "${mediaType.slice(0, 120)}" not supported`);
}

/** An image manifest whose config is not an image config (Helm chart, signature, SBOM, ...). */
export function artifactTypeOf(m: ImageManifest): string | undefined {
  if (m.artifactType) return m.artifactType;
  if (!isImageConfigType(m.config.mediaType)) return m.config.mediaType;
  if (m.layers.some((l) => layerCompression(l.mediaType) === undefined)) return m.layers.find((l) => layerCompression(l.mediaType) === undefined)!.mediaType;
  return undefined;
}

export const DEFAULT_PLATFORM: Platform = { os: "linux", architecture: "amd64" };

function samePlatform(a: Platform, want: Platform): boolean {
  if (a.os !== want.os || a.architecture !== want.architecture) return false;
  return want.variant === undefined || a.variant === want.variant;
}

/** Image entries of an index (attestation manifests, which have platform unknown/unknown, dropped). */
export function imageEntries(index: ImageIndex): Descriptor[] {
  return index.manifests.filter((d) => !(d.platform?.os === "unknown" && d.platform.architecture === "unknown"));
}

/** Pick the descriptor for `want` from an index, or throw LKT_ERR_PLATFORM_NOT_FOUND. */
export function selectPlatform(index: ImageIndex, want: Platform = DEFAULT_PLATFORM): Descriptor {
  const hit = imageEntries(index).find((d) => d.platform && samePlatform(d.platform, want));
  if (!hit) {
    const entries = imageEntries(index);
    const have = entries.map((d) => (d.platform ? platformString(d.platform) : d.refName ? `tag ${d.refName}` : "?")).join(", ");
    // An OCI layout's index lists its tags without platforms: say how to pick one.
    const hint = entries.some((d) => !d.platform && d.refName) ? "; name one as DIR:TAG" : "";
    throw new LookoutError("LKT_ERR_PLATFORM_NOT_FOUND", `no manifest for ${platformString(want)} (index has: ${have || "none"})${hint}`);
  }
  return hit;
}

export function platformString(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ""}`;
}
