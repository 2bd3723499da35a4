import { describe, expect, it } from "vitest";
import { isLookoutError } from "@lookout/domain";
import { artifactTypeOf, parseManifest, selectPlatform, type ImageIndex } from "./manifest.js";
import { MT } from "./media-types.js";
import { parseImageConfig } from "./image-config.js";
import { digestEquals, verifyBuffer } from "./digest.js";
import { parseImageReference } from "./registry/reference.js";

const d = (c: string) => "sha256:" + c.repeat(64);
const codeOf = (f: () => unknown) => {
  try {
    f();
    return "no error";
  } catch (e) {
    return isLookoutError(e) ? e.code : "untyped";
  }
};

describe("parseManifest", () => {
  it("refuses Docker schema 1 with a clear unsupported error", () => {
    const s1 = Buffer.from(JSON.stringify({ schemaVersion: 1, name: "x", tag: "latest", fsLayers: [] }));
    expect(codeOf(() => parseManifest(s1, MT.dockerSchema1Signed))).toBe("LKT_ERR_MANIFEST_UNSUPPORTED");
  });
  it("refuses unknown media types and malformed documents", () => {
    expect(codeOf(() => parseManifest(Buffer.from('{"schemaVersion":2,"mediaType":"application/x-weird"}')))).toBe("LKT_ERR_MANIFEST_UNSUPPORTED");
    expect(codeOf(() => parseManifest(Buffer.from("{not json")))).toBe("LKT_ERR_MANIFEST_INVALID");
    const badDigest = { schemaVersion: 2, mediaType: MT.ociManifest, config: { mediaType: MT.ociConfig, digest: "sha256:../../etc", size: 2 }, layers: [] };
    expect(codeOf(() => parseManifest(Buffer.from(JSON.stringify(badDigest))))).toBe("LKT_ERR_MANIFEST_INVALID");
  });
  it("parses a Docker v2 manifest and flags non-image configs as artifacts", () => {
    const m = parseManifest(
      Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.dockerManifest, config: { mediaType: MT.dockerConfig, digest: d("a"), size: 1 }, layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", digest: d("b"), size: 2 }] })),
    );
    expect(m.kind === "manifest" && artifactTypeOf(m)).toBe(undefined);
    const a = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, config: { mediaType: "application/vnd.dev.sigstore.bundle", digest: d("a"), size: 1 }, layers: [] })));
    expect(a.kind === "manifest" && artifactTypeOf(a)).toBe("application/vnd.dev.sigstore.bundle");
  });
  it("selects a platform from a Docker manifest list, ignoring attestation entries", () => {
    const list = parseManifest(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MT.dockerList,
          manifests: [
            { mediaType: MT.dockerManifest, digest: d("1"), size: 1, platform: { os: "unknown", architecture: "unknown" } },
            { mediaType: MT.dockerManifest, digest: d("2"), size: 1, platform: { os: "linux", architecture: "arm", variant: "v7" } },
            { mediaType: MT.dockerManifest, digest: d("3"), size: 1, platform: { os: "linux", architecture: "amd64" } },
          ],
        }),
      ),
    ) as ImageIndex;
    expect(selectPlatform(list).digest).toBe(d("3"));
    expect(selectPlatform(list, { os: "linux", architecture: "arm", variant: "v7" }).digest).toBe(d("2"));
    expect(codeOf(() => selectPlatform(list, { os: "windows", architecture: "amd64" }))).toBe("LKT_ERR_PLATFORM_NOT_FOUND");
    expect(() => selectPlatform(list, { os: "windows", architecture: "amd64" })).toThrow("no manifest for windows/amd64 (index has: linux/arm/v7, linux/amd64)");
  });

  it("names an OCI layout's tags (ref.name) when none is picked, and how to pick one; junk names are dropped", () => {
    const ann = (name: string) => ({ annotations: { "org.opencontainers.image.ref.name": name } });
    const layout = parseManifest(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          manifests: [
            { mediaType: MT.ociManifest, digest: d("1"), size: 1, ...ann("bench") },
            { mediaType: MT.ociManifest, digest: d("2"), size: 1, ...ann("v2.1") },
            { mediaType: MT.ociManifest, digest: d("3"), size: 1, ...ann("bad\nname") },
          ],
        }),
      ),
    ) as ImageIndex;
    expect(() => selectPlatform(layout)).toThrow("no manifest for linux/amd64 (index has: tag bench, tag v2.1, ?); name one as DIR:TAG");
  });
});

describe("image config, digests and references", () => {
  it("summarises a config without environment values", () => {
    const c = parseImageConfig(Buffer.from(JSON.stringify({ os: "linux", architecture: "arm64", variant: "v8", config: { Env: ["A=secret"], User: "1000", ExposedPorts: { "80/tcp": {} } }, rootfs: { diff_ids: [d("c")] } })));
    expect(c.summary).toEqual({ envKeys: ["A"], labels: {}, user: "1000", exposedPorts: ["80/tcp"] });
    expect(c.platform).toEqual({ os: "linux", architecture: "arm64", variant: "v8" });
    expect(JSON.stringify(c)).not.toContain("secret");
  });
  it("verifies buffers and compares digests", () => {
    expect(codeOf(() => verifyBuffer(Buffer.from("x"), d("0"), "blob"))).toBe("LKT_ERR_DIGEST_MISMATCH");
    expect(digestEquals(d("a"), d("a"))).toBe(true);
    expect(digestEquals(d("a"), d("b"))).toBe(false);
  });
  it("parses image references with Docker defaults", () => {
    expect(parseImageReference("127.0.0.1:5000/team/app:v1")).toEqual({ registry: "127.0.0.1:5000", repository: "team/app", tag: "v1" });
    expect(parseImageReference("debian")).toEqual({ registry: "docker.io", repository: "library/debian" });
    expect(parseImageReference(`ghcr.io/o/r@${d("e")}`)).toEqual({ registry: "ghcr.io", repository: "o/r", digest: d("e") });
  });
});
