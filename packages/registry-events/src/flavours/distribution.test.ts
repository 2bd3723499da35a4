import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FLAVOURS } from "./index.js";
import type { SourceConfig } from "../types.js";

const dir = join(import.meta.dirname, "../../testdata/distribution");
const load = (f: string) => JSON.parse(readFileSync(join(dir, f), "utf8"));
const source: SourceConfig = { id: "local", flavour: "distribution", host: "127.0.0.1:5000" };
const parse = (f: string, s = source) => FLAVOURS.distribution!.parse(load(f), s);

describe("distribution flavour on real docker-registry bodies", () => {
  it("turns a tagged manifest push into one push event with the configured host", () => {
    const body = load("push-manifest-debian-bookworm.json");
    const r = parse("push-manifest-debian-bookworm.json");
    expect(r.pushes).toHaveLength(1);
    expect(r.pushes[0]).toMatchObject({
      registry: "127.0.0.1:5000",
      repository: body.events[0].target.repository,
      digest: body.events[0].target.digest,
      tag: "v1",
      eventId: body.events[0].id,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
    });
  });

  it.each([
    "push-blob-layer.json", "push-blob-config.json", "mount-blob.json", "pull-blob.json", "pull-manifest.json",
    "pull-manifest-head.json", "pull-index.json", "pull-blob-head-during-push.json",
  ])("ignores %s (answered 2xx, nothing scanned)", (f) => {
    const r = parse(f);
    expect(r.pushes).toHaveLength(0);
    expect(r.ignored).toHaveLength(1);
    expect(r.rejected).toHaveLength(0);
  });

  it("keeps untagged child pushes and index pushes", () => {
    expect(parse("push-manifest-index-child.json").pushes[0]!.tag).toBeUndefined();
    expect(parse("push-index-multiarch.json").pushes[0]!.mediaType).toBe("application/vnd.oci.image.index.v1+json");
    expect(parse("push-manifest-zstd.json").pushes).toHaveLength(1);
  });

  it("reports deletes by digest and by tag, with the registry's time as ISO UTC", () => {
    const body = load("delete-manifest-by-digest.json");
    expect(parse("delete-manifest-by-digest.json").deletes).toEqual([{
      sourceId: "local", eventId: body.events[0].id, registry: "127.0.0.1:5000", repository: "eval/scratch-hello",
      digest: body.events[0].target.digest, occurredAt: "2026-11-29T17:26:07.404Z",
    }]);
    const untag = parse("delete-tag.json").deletes[0]!;
    expect(untag).toMatchObject({ tag: "v1", repository: "eval/scratch-hello", occurredAt: "2026-11-29T17:26:07.406Z" });
    expect(untag.digest).toBeUndefined();
    // A blob delete has the same shape: it is reported, and consumers act only on digests they know as manifests.
    expect(parse("delete-blob.json").deletes[0]!.digest).toMatch(/^sha256:/);
  });

  it("reads v3 deletes, whose empty strings mean absent", () => {
    const body = load("delete-tag.json");
    body.events[0].target = { mediaType: "", digest: "", size: 0, repository: "team-a/api", tag: "1.4.2" };
    const r = FLAVOURS.distribution!.parse(body, source);
    expect(r.deletes[0]).toMatchObject({ repository: "team-a/api", tag: "1.4.2" });
    expect(r.deletes[0]!.digest).toBeUndefined();
    body.events[0].target = { mediaType: "", digest: "", size: 0, repository: "team-a/api" };
    expect(FLAVOURS.distribution!.parse(body, source).deletes[0]).toMatchObject({ repository: "team-a/api" });
  });

  it("refuses a payload URL naming a host that is not configured, and never uses it", () => {
    const r = parse("push-manifest-scratch.json", { ...source, host: "registry.internal:5000" });
    expect(r.pushes).toHaveLength(0);
    expect(r.rejected[0]!.reason).toContain("127.0.0.1:5000 is not configured");
  });

  it("accepts payload hosts listed as aliases", () => {
    const r = parse("push-manifest-scratch.json", { ...source, host: "registry.internal:5000", aliases: ["127.0.0.1:5000"] });
    expect(r.pushes[0]!.registry).toBe("registry.internal:5000");
  });

  it("rejects hostile names per event without failing the request", () => {
    const body = load("push-manifest-scratch.json");
    body.events[0].target.repository = "../../etc/passwd";
    body.events.push({ ...body.events[0], id: "x2", target: { ...body.events[0].target, repository: "ok/repo", tag: "bad tag!" } });
    const r = FLAVOURS.distribution!.parse(body, source);
    expect(r.pushes).toHaveLength(0);
    expect(r.rejected.map((x) => x.reason)).toEqual([
      'repository "../../etc/passwd" breaks the OCI name grammar',
      "tag breaks the OCI tag grammar",
    ]);
  });

  it("enforces repository patterns", () => {
    const r = parse("push-manifest-scratch.json", { ...source, repositories: ["team-a/**"] });
    expect(r.rejected[0]!.reason).toMatch(/not allowed/);
  });

  it("400s a body without an events array", () => {
    expect(() => FLAVOURS.distribution!.parse({ foo: 1 }, source)).toThrow(/events array/);
  });
});
