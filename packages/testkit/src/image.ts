import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";

const run = promisify(execFile);

export interface LayerSpec {
  /** path (relative, no leading slash) → content; a trailing "/" makes a directory. */
  files: Record<string, string | Buffer>;
}

export interface ImageSpec {
  layers: LayerSpec[];
  config?: { User?: string; Env?: string[]; Labels?: Record<string, string>; Cmd?: string[] };
  architecture?: string;
  os?: string;
}

/** Minimal ustar writer: enough for test layers (regular files and directories). */
export function tarOf(files: Record<string, string | Buffer>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const isDir = name.endsWith("/");
    const data = isDir ? Buffer.alloc(0) : Buffer.isBuffer(content) ? content : Buffer.from(content);
    const h = Buffer.alloc(512);
    h.write(name, 0, 100, "utf8");
    h.write(isDir ? "0000755\0" : "0000644\0", 100);
    h.write("0000000\0", 108);
    h.write("0000000\0", 116);
    h.write(data.length.toString(8).padStart(11, "0") + "\0", 124);
    h.write("00000000000\0", 136);
    h.write("        ", 148);
    h.write(isDir ? "5" : "0", 156);
    h.write("ustar\0", 257);
    h.write("00", 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

const sha = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

async function putBlob(dir: string, b: Buffer): Promise<string> {
  const d = sha(b);
  await writeFile(join(dir, "blobs", "sha256", d.slice(7)), b);
  return d;
}

/** Write an OCI image layout for `spec` under `dir` with `tag`; returns the manifest digest. */
export async function writeOciLayout(dir: string, tag: string, spec: ImageSpec): Promise<{ manifestDigest: string; manifest: Buffer }> {
  await mkdir(join(dir, "blobs", "sha256"), { recursive: true });
  await writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  const layers = [];
  const diffIds = [];
  for (const l of spec.layers) {
    const tar = tarOf(l.files);
    diffIds.push(sha(tar));
    const gz = gzipSync(tar);
    layers.push({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: await putBlob(dir, gz), size: gz.length });
  }
  const config = Buffer.from(JSON.stringify({
    created: "2026-01-01T00:00:00Z",
    architecture: spec.architecture ?? "amd64",
    os: spec.os ?? "linux",
    config: spec.config ?? {},
    rootfs: { type: "layers", diff_ids: diffIds },
  }));
  const configDigest = await putBlob(dir, config);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length },
    layers,
  }));
  const manifestDigest = await putBlob(dir, manifest);
  await writeFile(join(dir, "index.json"), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: manifestDigest, size: manifest.length, annotations: { "org.opencontainers.image.ref.name": tag } }],
  }));
  return { manifestDigest, manifest };
}

/** `skopeo copy` an OCI layout into a registry (plain HTTP). */
export async function pushWithSkopeo(layoutDir: string, tag: string, dest: string, creds?: string): Promise<void> {
  const args = ["copy", "--quiet", "--dest-tls-verify=false", ...(creds ? ["--dest-creds", creds] : []), `oci:${layoutDir}:${tag}`, `docker://${dest}`];
  await run("skopeo", args, { timeout: 60_000 });
}
