import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isLookoutError } from "@lookout/domain";
import { apkCataloger } from "./index.js";
import { layerFile, recordingContext } from "../dpkg/layer-file.testutil.js";

const DB = new URL("../../testdata/os/package-db/apk/", import.meta.url).pathname;
const PATH = "/lib/apk/db/installed";

const parse = (rel: string) => apkCataloger.parse(layerFile(join(DB, rel), PATH), recordingContext());

describe("apk installed database", () => {
  it("wants /lib and /usr/lib (Wolfi) installed databases only", () => {
    expect(apkCataloger.wants("/lib/apk/db/installed", { size: 1, mode: 0o644 })).toBe(true);
    expect(apkCataloger.wants("/usr/lib/apk/db/installed", { size: 1, mode: 0o644 })).toBe(true);
    expect(apkCataloger.wants("/lib/apk/db/scripts.tar", { size: 1, mode: 0o644 })).toBe(false);
  });

  it("Alpine 3.18 (osv-scalibr): exact name, version, origin, arch, license, maintainer", async () => {
    const want = JSON.parse(readFileSync(join(DB, "alpine-3.18-scalibr/expected.scalibr.json"), "utf8")) as {
      packages: { name: string; version: string; origin: string; arch: string; license: string; maintainer: string }[];
    };
    const got = await parse("alpine-3.18-scalibr/lib/apk/db/installed");
    expect(got.map((p) => [p.name, p.version, p.sourceName, p.arch, p.licenses?.[0], p.meta?.maintainer])).toEqual(
      want.packages.map((p) => [p.name, p.version, p.origin, p.arch, p.license, p.maintainer]),
    );
    expect(got[0]?.purl).toBe("pkg:apk/alpine/alpine-baselayout@3.4.3-r1?arch=x86_64");
  });

  it("Alpine 3.4 (trivy): exact name, version, origin, arch; stanza without V: dropped", async () => {
    const want = JSON.parse(readFileSync(join(DB, "alpine-3.4-trivy/expected.trivy.json"), "utf8")) as {
      packages: { name: string; version: string; origin: string; arch: string }[];
    };
    const got = await parse("alpine-3.4-trivy/lib/apk/db/installed");
    expect(got.map((p) => [p.name, p.version, p.sourceName, p.arch])).toEqual(want.packages.map((p) => [p.name, p.version, p.origin, p.arch]));
    // Licenses are kept as the raw expression (trivy normalises "GPL2" etc., we do not).
    expect(got.find((p) => p.name === "ada-libs")?.licenses).toEqual(["( Apache-2.0 OR MIT ) AND MPL-2.0"]);
  });

  it("syft samples: one package each, file attribute lines ignored", async () => {
    for (const f of ["syft-samples/base", "syft-samples/extra-file-attributes"]) {
      const got = await parse(f);
      expect(got).toHaveLength(1);
    }
    expect((await parse("syft-samples/base")).map((p) => [p.name, p.version, p.sourceName, p.licenses])).toEqual([
      ["alpine-baselayout", "3.2.0-r6", "alpine-baselayout", ["GPL-2.0-only"]],
    ]);
    expect(await parse("alpine-syft-multiple/lib/apk/db/installed")).toHaveLength(14);
  });

  it("rejects binary garbage", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lookout-apk-"));
    writeFileSync(join(dir, "installed"), Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]));
    await expect(apkCataloger.parse(layerFile(join(dir, "installed"), PATH), recordingContext())).rejects.toSatisfy((e) =>
      isLookoutError(e, "LKT_ERR_PACKAGE_DB_INVALID"),
    );
  });
});
