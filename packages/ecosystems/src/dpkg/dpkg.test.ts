import { readFileSync, readdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isLookoutError } from "@lookout/domain";
import { dpkgCataloger } from "./index.js";
import { parseDpkgStatus } from "./parse-status.js";
import { layerFile, recordingContext } from "./layer-file.testutil.js";

const DB = new URL("../../testdata/os/package-db/dpkg/", import.meta.url).pathname;

async function parse(rel: string, path = "/var/lib/dpkg/status") {
  return dpkgCataloger.parse(layerFile(join(DB, rel), path), recordingContext());
}

describe("dpkg wants", () => {
  it.each([
    ["/var/lib/dpkg/status", true],
    ["/var/lib/dpkg/status.d/libsqlite3-0", true],
    ["/var/lib/dpkg/status.d/libsqlite3-0.md5sums", false],
    ["/var/lib/dpkg/status-old", false],
    ["/var/lib/dpkg/status.d/sub/x", false],
    ["/opt/vcpkg/installed/vcpkg/status", false],
  ])("%s → %s", (p, want) => expect(dpkgCataloger.wants(p, { size: 1, mode: 0o644 })).toBe(want));
});

describe("dpkg status parsing against the origin tools' expectations", () => {
  it("Ubuntu 18.04 (trivy): exact name/version/source/arch list", async () => {
    const want = JSON.parse(readFileSync(join(DB, "ubuntu-18.04-trivy/expected.trivy.json"), "utf8")) as {
      packages: { name: string; version: string; source_name: string; source_version: string; arch: string }[];
    };
    const got = await parse("ubuntu-18.04-trivy/var/lib/dpkg/status");
    const norm = (xs: { name: string; version: string; source_name?: string; sourceName?: string; source_version?: string; sourceVersion?: string; arch?: string }[]) =>
      xs.map((x) => [x.name, x.version, x.source_name ?? x.sourceName, x.source_version ?? x.sourceVersion, x.arch].join(" ")).sort();
    expect(norm(got)).toEqual(norm(want.packages));
  });

  it("Debian 12 (osv-scalibr): installed names, versions, arch; binNMU source version", async () => {
    const want = JSON.parse(readFileSync(join(DB, "debian-12-scalibr/expected.scalibr.json"), "utf8")) as {
      packages: { name: string; version: string; arch: string }[];
    };
    const got = await parse("debian-12-scalibr/var/lib/dpkg/status");
    expect(got.map((p) => `${p.name} ${p.version} ${p.arch}`)).toEqual(want.packages.map((p) => `${p.name} ${p.version} ${p.arch}`));
    const ul = got.find((p) => p.name === "util-linux-extra");
    expect([ul?.version, ul?.sourceName, ul?.sourceVersion]).toEqual(["2.38.1-5+b1", "util-linux", "2.38.1-5"]);
  });

  it("transitional package keeps its Source (iceweasel → firefox-esr)", async () => {
    const got = await parse("debian-12-scalibr/transitional-status");
    expect(got.map((p) => [p.name, p.version, p.sourceName, p.sourceVersion])).toEqual([
      ["iceweasel", "78.13.0esr-1~deb10u1", "firefox-esr", "78.13.0esr-1~deb10u1"],
    ]);
  });

  it("Debian 10 postgresql (claircore): Source with its own version", async () => {
    const got = await parse("debian-10-postgresql/var/lib/dpkg/status");
    const p = got.find((x) => x.name === "postgresql-client");
    expect([p?.sourceName, p?.sourceVersion]).toEqual(["postgresql-common", "200+deb10u5"]);
  });

  it("Ubuntu 18.04 texlive (claircore): all 357 stanzas are installed packages", async () => {
    expect(await parse("ubuntu-18.04-texlive/var/lib/dpkg/status")).toHaveLength(357);
  });

  it("debian-only (claircore): first stanza version", async () => {
    expect((await parse("debian-only/var/lib/dpkg/status"))[0]?.version).toBe("2019.1");
  });

  it("syft samples: deinstalled and version-less stanzas are dropped", async () => {
    const deinstall = await parse("syft-status-samples/deinstall");
    const want = JSON.parse(readFileSync(join(DB, "syft-status-samples/deinstall.expected.syft.json"), "utf8")) as { packages: { Package: string }[] };
    expect(deinstall.map((p) => p.name)).toEqual(want.packages.map((p) => p.Package));
    // syft keeps "no-version"; dpkg-query never lists a package without a Version, nor do we.
    expect((await parse("syft-status-samples/multiple")).map((p) => `${p.name}@${p.version}`)).toEqual(["tzdata@2020a-0+deb10u1", "util-linux@2.33.1-0.1"]);
  });
});

describe("distroless status.d", () => {
  it("osv-scalibr foo: no Status field means installed", async () => {
    const got = await parse("distroless-scalibr/var/lib/dpkg/status.d/foo", "/var/lib/dpkg/status.d/foo");
    expect(got.map((p) => [p.name, p.version, p.arch, p.sourceName])).toEqual([["foo", "1.2.3", "amd64", "foo"]]);
  });

  it("syft distroless entries", async () => {
    const want = JSON.parse(readFileSync(join(DB, "distroless-syft/expected.syft.json"), "utf8")) as {
      packages: { name: string; version: string; source_name: string; source_version: string; arch: string }[];
    };
    const got = await parse("distroless-syft/var/lib/dpkg/status.d/libsqlite3-0", "/var/lib/dpkg/status.d/libsqlite3-0");
    expect(got.map((p) => [p.name, p.version, p.sourceName, p.sourceVersion, p.arch])).toEqual(
      want.packages.map((p) => [p.name, p.version, p.source_name, p.source_version, p.arch]),
    );
    expect(got[0]?.purl).toBe("pkg:deb/debian/libsqlite3-0@3.34.1-3?arch=arm64");
    for (const f of readdirSync(join(DB, "distroless-syft/var/lib/dpkg/status.d")).filter((f) => !f.endsWith(".md5sums"))) {
      const ps = await parse(`distroless-syft/var/lib/dpkg/status.d/${f}`, `/var/lib/dpkg/status.d/${f}`);
      expect(ps).toHaveLength(1);
    }
  });
});

describe("bad input", () => {
  it("rejects the vcpkg status file (claircore TestNotDB)", async () => {
    await expect(parse("negative-vcpkg/status")).rejects.toSatisfy((e) => isLookoutError(e, "LKT_ERR_PACKAGE_DB_INVALID"));
  });

  it("rejects binary garbage and yields nothing for an empty file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lookout-dpkg-"));
    writeFileSync(join(dir, "garbage"), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3]));
    writeFileSync(join(dir, "empty"), "");
    const ctx = recordingContext();
    await expect(dpkgCataloger.parse(layerFile(join(dir, "garbage"), "/var/lib/dpkg/status"), ctx)).rejects.toSatisfy((e) =>
      isLookoutError(e, "LKT_ERR_PACKAGE_DB_INVALID"),
    );
    expect(await dpkgCataloger.parse(layerFile(join(dir, "empty"), "/var/lib/dpkg/status"), ctx)).toEqual([]);
  });
});

describe("dpkg status decoded a piece at a time", () => {
  const stanza = (i: number) => `Package: p${i}\nStatus: install ok installed\nVersion: 1.${i}\nMaintainer: Jörg Ünïcødé 名前 <j@example.org>\nDescription: x\n ${"long line ".repeat(i % 50)}\n`;
  const many = (sep: string) => Buffer.from(Array.from({ length: 3000 }, (_, i) => stanza(i)).join(sep), "utf8");
  // A cut UTF-8 sequence (0xe2 without its continuation bytes) right before a blank line.
  const broken = Buffer.concat(Array.from({ length: 3000 }, (_, i) => Buffer.concat([Buffer.from(stanza(i)), Buffer.from(i % 7 === 0 ? [0x42, 0x3a, 0x20, 0xe2, 0x0a] : []), Buffer.from("\n\n\n")])));
  it.each([
    ["LF, non-Latin-1 names", many("\n")],
    ["CRLF", Buffer.from(many("\n").toString("utf8").replace(/\n/g, "\r\n"))],
    ["extra blank lines, invalid UTF-8 before a cut", broken],
  ])("%s: same packages as the whole text", (_what, buf) => {
    expect(buf.length).toBeGreaterThan(16 * 16 * 1024);
    const opts = { statusOptional: false };
    expect(parseDpkgStatus(buf, "/var/lib/dpkg/status", opts)).toEqual(parseDpkgStatus(buf.toString("utf8"), "/var/lib/dpkg/status", opts));
  });
});
