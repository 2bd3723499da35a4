import { describe, expect, it } from "vitest";
import type { Package } from "@lookout/domain";
import { finalizeInventory } from "./finalize.js";

const deb: Package = { type: "dpkg", name: "curl", version: "7.88.1-10", ecosystem: "", purl: "pkg:deb/debian/curl@7.88.1-10?arch=amd64", arch: "amd64", path: "/var/lib/dpkg/status" };
const apk: Package = { type: "apk", name: "musl", version: "1.2.4-r2", ecosystem: "", purl: "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64", arch: "x86_64", path: "/lib/apk/db/installed" };
const rpm: Package = { type: "rpm", name: "bash", version: "1:5.1.8-6.el9", epoch: 1, release: "6.el9", ecosystem: "", purl: "", arch: "x86_64", path: "/var/lib/rpm/rpmdb.sqlite" };
const npm: Package = { type: "npm", name: "lodash", version: "4.17.21", ecosystem: "npm", purl: "pkg:npm/lodash@4.17.21", path: "/app/node_modules/lodash/package.json" };

describe("finalizeInventory", () => {
  it("Debian 12: ecosystem Debian:12 and distro qualifier", () => {
    const [p] = finalizeInventory([deb], { id: "debian", versionId: "12", codename: "bookworm" });
    expect([p?.ecosystem, p?.purl]).toEqual(["Debian:12", "pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12"]);
  });

  it("Ubuntu 22.04: namespace ubuntu", () => {
    const [p] = finalizeInventory([deb], { id: "ubuntu", versionId: "22.04", codename: "jammy" });
    expect([p?.ecosystem, p?.purl]).toEqual(["Ubuntu:22.04", "pkg:deb/ubuntu/curl@7.88.1-10?arch=amd64&distro=ubuntu-22.04"]);
  });

  it("Alpine 3.19.1 → Alpine:v3.19", () => {
    const [p] = finalizeInventory([apk], { id: "alpine", versionId: "3.19.1" });
    expect([p?.ecosystem, p?.purl]).toEqual(["Alpine:v3.19", "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1"]);
  });

  it.each([
    ["rhel", "9.4", "Red Hat:9", "pkg:rpm/redhat/bash@5.1.8-6.el9?arch=x86_64&distro=rhel-9.4&epoch=1"],
    ["rocky", "9.3", "Rocky Linux:9", "pkg:rpm/rocky/bash@5.1.8-6.el9?arch=x86_64&distro=rocky-9.3&epoch=1"],
    ["almalinux", "9.4", "AlmaLinux:9", "pkg:rpm/almalinux/bash@5.1.8-6.el9?arch=x86_64&distro=almalinux-9.4&epoch=1"],
    ["sles", "15.3", "SUSE:Linux Enterprise Server 15 SP3", "pkg:rpm/sles/bash@5.1.8-6.el9?arch=x86_64&distro=sles-15.3&epoch=1"],
  ])("rpm on %s %s", (id, versionId, eco, purl) => {
    const [p] = finalizeInventory([rpm], { id, versionId });
    expect([p?.ecosystem, p?.purl]).toEqual([eco, purl]);
  });

  it("leaves language packages alone and does not mutate its input", () => {
    const input = [deb, npm];
    const out = finalizeInventory(input, { id: "debian", versionId: "12" });
    expect(out[1]).toBe(npm);
    expect(deb.ecosystem).toBe("");
  });

  it("without a distro, or with a distro of another family, falls back to the type's base ecosystem", () => {
    expect(finalizeInventory([deb])[0]?.ecosystem).toBe("Debian");
    const [p] = finalizeInventory([deb], { id: "alpine", versionId: "3.19.1" });
    expect([p?.ecosystem, p?.purl]).toEqual(["Debian", "pkg:deb/debian/curl@7.88.1-10?arch=amd64"]);
  });
});
