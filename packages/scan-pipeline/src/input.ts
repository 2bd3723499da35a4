import { open, stat } from "node:fs/promises";
import { LookoutError, type ImageRef, type Platform } from "@lookout/domain";
import {
  openDockerArchive, openOciArchive, openOciLayout, parseImageReference, RegistryClient,
  type Credentials, type FetchLike, type ImageSource, type ResolveResult,
} from "@lookout/oci";

export type ImageInput =
  | { kind: "oci-layout"; path: string; ref: string }
  | { kind: "oci-archive" | "docker-archive"; path: string; ref: string }
  | { kind: "registry"; ref: ImageRef };

const isDir = async (p: string) => (await stat(p).catch(() => undefined))?.isDirectory() === true;
const isFile = async (p: string) => (await stat(p).catch(() => undefined))?.isFile() === true;

/** Split "path:ref" where `path` exists; a path that exists as a whole wins. */
async function pathAndRef(s: string, exists: (p: string) => Promise<boolean>): Promise<{ path: string; ref: string } | undefined> {
  if (await exists(s)) return { path: s, ref: "" };
  const i = s.lastIndexOf(":");
  if (i > 0 && (await exists(s.slice(0, i)))) return { path: s.slice(0, i), ref: s.slice(i + 1) };
  return undefined;
}

/**
 * What an argument names: `oci:DIR[:TAG]`, `oci-archive:TAR[:REF]`, `docker-archive:TAR[:REF]`,
 * an existing directory (OCI layout) or tar file (sniffed: manifest.json → docker-archive,
 * index.json → oci-archive), else an image reference (host/repo:tag). `resolvePath` makes
 * relative paths absolute (the caller's working directory).
 */
export async function classifyInput(arg: string, resolvePath: (p: string) => string = (p) => p): Promise<ImageInput> {
  for (const kind of ["oci", "oci-archive", "docker-archive"] as const) {
    if (!arg.startsWith(`${kind}:`)) continue;
    const rest = arg.slice(kind.length + 1);
    const pr = await pathAndRef(resolvePath(rest), kind === "oci" ? isDir : isFile);
    if (!pr) throw new LookoutError("LKT_ERR_SOURCE_INVALID", `${arg.slice(0, 200)}: no such ${kind === "oci" ? "directory" : "file"}`);
    return kind === "oci" ? { kind: "oci-layout", ...pr } : { kind, ...pr };
  }
  const dir = await pathAndRef(resolvePath(arg), isDir);
  if (dir) return { kind: "oci-layout", ...dir };
  const file = await pathAndRef(resolvePath(arg), isFile);
  if (file) return { kind: (await tarHasEntry(file.path, "manifest.json")) ? "docker-archive" : "oci-archive", ...file };
  return { kind: "registry", ref: parseImageReference(arg) };
}

/** Whether a tar's top level holds `name`, reading headers only (first 4,096 entries). */
async function tarHasEntry(path: string, name: string): Promise<boolean> {
  const fh = await open(path, "r");
  try {
    const h = Buffer.alloc(512);
    let off = 0;
    for (let n = 0; n < 4096; n++) {
      const { bytesRead } = await fh.read(h, 0, 512, off);
      if (bytesRead < 512 || h.every((b) => b === 0)) return false;
      const entry = h.subarray(0, 100).toString("utf8").replace(/\0.*$/s, "").replace(/^\.\//, "");
      if (entry === name) return true;
      const size = parseInt(h.subarray(124, 136).toString("ascii").replace(/\0.*$/s, "").trim() || "0", 8);
      if (!Number.isFinite(size) || size < 0) return false;
      off += 512 + Math.ceil(size / 512) * 512;
    }
    return false;
  } finally {
    await fh.close();
  }
}

export interface OpenInputOptions {
  /** Per-scan scratch directory (archives are unpacked under it). */
  scratchDir: string;
  platform?: Platform;
  /** Send registry requests with this fetch instead of the client's node:http transport. */
  fetch?: FetchLike;
  /** Plain HTTP for the named registry (the operator asked for it). */
  insecure?: boolean;
  dockerAuths?: Map<string, Credentials>;
}

/**
 * Open an input as image sources. For a registry reference only the host named in the
 * reference is allowed (the operator typed it); nothing else is contacted.
 */
export async function openInput(input: ImageInput, opts: OpenInputOptions): Promise<{ images: ImageSource[]; registry?: ImageRef }> {
  const ro = opts.platform ? { platform: opts.platform } : {};
  let r: ResolveResult;
  switch (input.kind) {
    case "oci-layout":
      r = await openOciLayout(input.path, input.ref, ro);
      break;
    case "oci-archive":
      r = await openOciArchive(input.path, input.ref, { ...ro, scratchDir: opts.scratchDir });
      break;
    case "docker-archive":
      r = await openDockerArchive(input.path, input.ref, { ...ro, scratchDir: opts.scratchDir });
      break;
    case "registry": {
      const client = new RegistryClient({
        registries: [{ host: input.ref.registry, ...(opts.insecure ? { insecure: true } : {}) }],
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
        ...(opts.dockerAuths ? { dockerAuths: opts.dockerAuths } : {}),
      });
      r = await client.resolve(input.ref, ro);
      break;
    }
  }
  if (r.kind === "not-an-image") {
    throw new LookoutError("LKT_ERR_SOURCE_INVALID", `${describeInput(input)} is an OCI artifact (${r.artifactType.slice(0, 100)}), not an image`);
  }
  return { images: r.images, ...(input.kind === "registry" ? { registry: input.ref } : {}) };
}

export function describeInput(input: ImageInput): string {
  if (input.kind === "registry") {
    const { registry, repository, tag, digest } = input.ref;
    return `${registry}/${repository}${tag ? `:${tag}` : ""}${digest ? `@${digest}` : ""}`;
  }
  return `${input.kind}:${input.path}${input.ref ? `:${input.ref}` : ""}`;
}
