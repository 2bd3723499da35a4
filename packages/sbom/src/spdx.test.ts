import { describe, expect, it } from "vitest";
import { toInternalJson, toSPDX } from "./index.js";
import { spdxValidator } from "./schema-validate.testutil.js";
import { inventoryOf, LAYER } from "./inventory.testutil.js";

const validate = spdxValidator();
const META = { name: "registry.example.test/library/alpine:3.18", digest: "sha256:3333333333333333333333333333333333333333333333333333333333333333" };
const FIXED = { timestamp: "2026-01-02T03:04:05.678Z", uuid: "6f1c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f" };

type SpdxPkg = { SPDXID: string; name: string; versionInfo?: string; licenseDeclared?: string; externalRefs?: { referenceLocator: string }[]; sourceInfo?: string };

describe("toSPDX validates against the SPDX 2.3 schema", () => {
  it.each(["ubuntu-18.04", "alpine-3.18", "rhel-8"])("%s", async (image) => {
    const inv = await inventoryOf(image);
    const doc = toSPDX(inv, META, FIXED);
    const ok = validate(doc);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    const pkgs = doc.packages as SpdxPkg[];
    expect(pkgs).toHaveLength(inv.packages.length + 2); // image + operating system
    expect(new Set(pkgs.map((p) => p.SPDXID)).size).toBe(pkgs.length);
    expect((doc.relationships as unknown[]).length).toBe(pkgs.length); // DESCRIBES + one CONTAINS each
    expect(doc.creationInfo).toEqual({ created: "2026-01-02T03:04:05Z", creators: ["Tool: lookout-0.1.0"] });
  });

  it("Alpine: purl external ref, SPDX license expression, layer in sourceInfo", async () => {
    const doc = toSPDX(await inventoryOf("alpine-3.18"), META, FIXED);
    const musl = (doc.packages as SpdxPkg[]).find((p) => p.name === "musl");
    expect(musl?.externalRefs?.[0]?.referenceLocator).toBe("pkg:apk/alpine/musl@1.2.4-r0?arch=x86_64&distro=alpine-3.18.4");
    expect(musl?.licenseDeclared).toBe("MIT");
    expect(musl?.sourceInfo).toContain(LAYER);
  });

  it("RHEL: non-SPDX license text becomes a LicenseRef with extracted text", async () => {
    const doc = toSPDX(await inventoryOf("rhel-8"), META, FIXED);
    const uuid = (doc.packages as SpdxPkg[]).find((p) => p.name === "libuuid");
    expect(uuid?.licenseDeclared).toBe("LicenseRef-BSD");
    expect(doc.hasExtractedLicensingInfos).toEqual([{ licenseId: "LicenseRef-BSD", extractedText: "BSD", name: "BSD" }]);
  });
});

describe("toInternalJson", () => {
  it("round-trips the inventory through JSON", async () => {
    const inv = await inventoryOf("ubuntu-18.04");
    const doc = JSON.parse(JSON.stringify(toInternalJson(inv, META, FIXED))) as ReturnType<typeof toInternalJson>;
    expect(doc.format).toBe("lookout-inventory");
    expect(doc.packages).toEqual(inv.packages);
    expect(doc.distro).toEqual(inv.distro);
  });
});
