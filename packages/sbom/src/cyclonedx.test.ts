import { describe, expect, it } from "vitest";
import type { Inventory } from "@lookout/domain";
import { componentRef, toCycloneDX, type CdxVulnerability } from "./index.js";
import { cyclonedxValidator } from "./schema-validate.testutil.js";
import { inventoryOf, LAYER } from "./inventory.testutil.js";

const validate = cyclonedxValidator();
const META = {
  name: "registry.example.test/library/ubuntu:18.04",
  registry: "registry.example.test",
  repository: "library/ubuntu",
  tag: "18.04",
  digest: "sha256:2222222222222222222222222222222222222222222222222222222222222222",
  platform: { os: "linux", architecture: "amd64" },
};
const FIXED = { timestamp: "2026-01-02T03:04:05.000Z", uuid: "6f1c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f" };

type Comp = { "bom-ref": string; name: string; version: string; purl?: string; licenses?: unknown[]; properties?: { name: string; value: string }[] };

function expectValid(bom: unknown): void {
  const ok = validate(bom);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
}

describe("toCycloneDX validates against the CycloneDX 1.6 schema", () => {
  it.each(["ubuntu-18.04", "alpine-3.18", "rhel-8"])("%s", async (image) => {
    const inv = await inventoryOf(image);
    expect(inv.packages.length).toBeGreaterThan(0);
    const bom = toCycloneDX(inv, META, FIXED);
    expectValid(bom);
    const comps = bom.components as Comp[];
    // one component per package plus the operating system
    expect(comps).toHaveLength(inv.packages.length + 1);
    expect(new Set(comps.map((c) => c["bom-ref"])).size).toBe(comps.length);
  });

  it("Ubuntu 18.04: purl with distro, layer digest and path properties, source package", async () => {
    const bom = toCycloneDX(await inventoryOf("ubuntu-18.04"), META, FIXED);
    const comps = bom.components as Comp[];
    expect(comps[0]).toMatchObject({ type: "operating-system", name: "ubuntu", version: "18.04" });
    const apt = comps.find((c) => c.name === "apt");
    expect(apt?.purl).toBe("pkg:deb/ubuntu/apt@1.6.3ubuntu0.1?arch=amd64&distro=ubuntu-18.04");
    const props = Object.fromEntries((apt?.properties ?? []).map((p) => [p.name, p.value]));
    expect(props).toMatchObject({
      "lookout:layer:digest": LAYER,
      "lookout:location:path": "/var/lib/dpkg/status",
      "lookout:package:ecosystem": "Ubuntu:18.04",
      "lookout:package:sourceName": "apt",
    });
    expect(bom.metadata).toMatchObject({
      timestamp: FIXED.timestamp,
      component: { type: "container", name: META.name, version: META.digest, purl: `pkg:oci/ubuntu@${META.digest}?repository_url=registry.example.test%2Flibrary%2Fubuntu&tag=18.04` },
    });
    expect(bom.serialNumber).toBe(`urn:uuid:${FIXED.uuid}`);
  });

  it("Alpine 3.18: SPDX ids become license ids, compound ones an expression", async () => {
    const comps = toCycloneDX(await inventoryOf("alpine-3.18"), META, FIXED).components as Comp[];
    expect(comps.find((c) => c.name === "musl")?.licenses).toEqual([{ license: { id: "MIT" } }]);
    expect(comps.find((c) => c.name === "musl-utils")?.licenses).toEqual([{ expression: "MIT AND BSD-2-Clause AND GPL-2.0-or-later" }]);
  });

  it("RHEL 8: free-text rpm license kept as a name; vendor and source rpm as properties", async () => {
    const comps = toCycloneDX(await inventoryOf("rhel-8"), META, FIXED).components as Comp[];
    const uuid = comps.find((c) => c.name === "libuuid");
    expect(uuid?.licenses).toEqual([{ license: { name: "BSD" } }]);
    expect(uuid?.purl).toBe("pkg:rpm/redhat/libuuid@2.32.1-42.el8_8?arch=x86_64&distro=rhel-8.1");
    const props = Object.fromEntries((uuid?.properties ?? []).map((p) => [p.name, p.value]));
    expect(props["lookout:meta:vendor"]).toBe("Red Hat, Inc.");
    expect(props["lookout:meta:sourceRpm"]).toBe("util-linux-2.32.1-42.el8_8.src.rpm");
  });

  it("carries vulnerabilities that point at components by componentRef", async () => {
    const inv = await inventoryOf("ubuntu-18.04");
    const apt = inv.packages.find((p) => p.name === "apt");
    if (!apt) throw new Error("fixture lost apt");
    // Values from the real USN-3863-1 / CVE-2019-3462 (apt 1.6.6ubuntu0.1 fixes it on 18.04).
    const vuln: CdxVulnerability = {
      id: "CVE-2019-3462",
      source: { name: "NVD", url: "https://nvd.nist.gov/vuln/detail/CVE-2019-3462" },
      references: [{ id: "USN-3863-1", source: { name: "Ubuntu", url: "https://ubuntu.com/security/notices/USN-3863-1" } }],
      ratings: [{ source: { name: "NVD" }, score: 8.1, severity: "high", method: "CVSSv3", vector: "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H" }],
      recommendation: "Upgrade apt to 1.6.6ubuntu0.1",
      affects: [{ ref: componentRef(apt), versions: [{ version: apt.version, status: "affected" }] }],
    };
    const bom = toCycloneDX(inv, META, { ...FIXED, vulnerabilities: [vuln] });
    expectValid(bom);
    const refs = new Set((bom.components as Comp[]).map((c) => c["bom-ref"]));
    expect(refs.has((bom.vulnerabilities as CdxVulnerability[])[0]?.affects[0]?.ref ?? "")).toBe(true);
  });

  it("an empty inventory with unknowns is still a valid BOM", () => {
    const inv: Inventory = { packages: [], unknowns: [{ path: "/var/lib/rpm/Packages", reason: "LKT_ERR_PACKAGE_DB_INVALID: truncated" }] };
    const bom = toCycloneDX(inv, { name: "scratch-image" }, FIXED);
    expectValid(bom);
    expect((bom.metadata as { properties: unknown[] }).properties).toEqual([{ name: "lookout:unknown", value: "/var/lib/rpm/Packages: LKT_ERR_PACKAGE_DB_INVALID: truncated" }]);
  });
});
