import { sha256Digest } from "../digest.js";

/** Push raw blobs and a manifest with the distribution API (anonymous registry), for content skopeo will not copy. */
export async function pushRaw(host: string, repo: string, tag: string, blobs: Buffer[], manifest: Buffer, mediaType: string): Promise<string> {
  for (const b of blobs) {
    const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: "POST" });
    if (start.status !== 202) throw new Error(`upload start ${start.status}`);
    const loc = new URL(start.headers.get("location")!, `http://${host}`);
    loc.searchParams.set("digest", sha256Digest(b));
    const put = await fetch(loc, { method: "PUT", body: b, headers: { "content-type": "application/octet-stream" } });
    if (put.status !== 201) throw new Error(`blob put ${put.status}: ${await put.text()}`);
  }
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, { method: "PUT", body: manifest, headers: { "content-type": mediaType } });
  if (res.status !== 201) throw new Error(`manifest put ${res.status}: ${await res.text()}`);
  return sha256Digest(manifest);
}
