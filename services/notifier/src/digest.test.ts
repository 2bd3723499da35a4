import { describe, expect, it } from "vitest";
import type { NotificationImage } from "@lookout/channels";
import { mergeImages } from "./digest.js";

const D1 = "sha256:" + "a1".repeat(32);
const D2 = "sha256:" + "b2".repeat(32);
const f = (advisoryId: string, severity: "high" | "low") => ({ advisoryId, packageName: "ansi-html", installedVersion: "0.0.7", fixedVersion: "0.0.8", severity });
const img = (over: Partial<NotificationImage>): NotificationImage => ({
  registry: "registry.test:5000", repository: "team-a/api", tags: [], digest: D1, severityCounts: {}, findings: [], ...over,
});

describe("mergeImages", () => {
  it("one entry per (registry, repository, digest), tags merged in push order", () => {
    const out = mergeImages([img({ tags: ["v1"] }), img({ digest: D2, tags: ["x"] }), img({ tags: ["latest"] }), img({ tags: ["v1"] })]);
    expect(out.map((i) => [i.digest, i.tags])).toEqual([[D1, ["v1", "latest"]], [D2, ["x"]]]);
  });

  it("the same digest in another repository stays a separate entry", () => {
    expect(mergeImages([img({ tags: ["a"] }), img({ repository: "team-b/api", tags: ["a"] })])).toHaveLength(2);
  });

  it("unions findings and keeps counts at least as large as what is listed", () => {
    const out = mergeImages([
      img({ findings: [f("GHSA-whgm-jr23-g3j9", "high")], severityCounts: { high: 1 } }),
      img({ findings: [f("GHSA-whgm-jr23-g3j9", "high"), f("GHSA-75v8-2h7p-7m2m", "low")], severityCounts: { low: 1 } }),
    ]);
    expect(out).toHaveLength(1);
    expect(out[0]!.findings.map((x) => x.advisoryId)).toEqual(["GHSA-whgm-jr23-g3j9", "GHSA-75v8-2h7p-7m2m"]);
    expect(out[0]!.severityCounts).toEqual({ high: 1, low: 1 });
  });

  it("caps tags at the schema's 100", () => {
    const many = Array.from({ length: 150 }, (_, i) => img({ tags: [`t${i}`] }));
    expect(mergeImages(many)[0]!.tags).toHaveLength(100);
  });
});
