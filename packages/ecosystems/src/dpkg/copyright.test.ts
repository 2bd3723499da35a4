import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isLookoutError, type Package } from "@lookout/domain";
import { finalizeInventory } from "../finalize.js";
import { DPKG_LICENSE_NOTE, dpkgCataloger, dpkgCopyrightCataloger } from "./index.js";
import { layerFile, recordingContext } from "./layer-file.testutil.js";
import { MAX_LICENSES, parseCopyrightLicenses } from "./parse-copyright.js";

const DB = new URL("../../testdata/os/package-db/dpkg/", import.meta.url).pathname;
const text = (rel: string) => readFileSync(join(DB, rel), "utf8");

describe("dpkg copyright licenses (DEP-5)", () => {
  it("liblzma5 (real, http:// Format URL): every License first line once, in file order, as python-debian reports", () => {
    // python3 -c 'from debian.copyright import Copyright; ...' (license.synopsis of header, Files and
    // License paragraphs, deduplicated) gives exactly this list for the same file.
    expect(parseCopyrightLicenses(text("copyright-samples/liblzma5"))).toEqual([
      "PD", "probably-PD", "GPL-2+", "LGPL-2.1+", "permissive-fsf", "Autoconf", "GPL-2", "none", "permissive-nowarranty", "config-h", "noderivs", "PD-debian",
    ]);
  });

  it("libsqlite3-0 (distroless, syft's fixture): the two DEP-5 names; syft's extra GPL-2 comes from prose we do not read", () => {
    expect(parseCopyrightLicenses(text("distroless-syft/usr/share/doc/libsqlite3-0/copyright"))).toEqual(["public-domain", "GPL-2+"]);
  });

  it("libc6 (real, free-text copyright despite its License-like lines): nothing", () => {
    expect(text("copyright-samples/libc6")).not.toMatch(/^Format:/m);
    expect(parseCopyrightLicenses(text("copyright-samples/libc6"))).toEqual([]);
  });

  it("Format must name copyright-format 1.0 in the first paragraph; a header License before Format counts; CRLF and comments are fine", () => {
    const fmt = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/";
    expect(parseCopyrightLicenses(`License: MIT\r\n${fmt}\r\n\r\nFiles: *\r\n# a comment\r\nLicense: GPL-2+\r\n with text\r\n`)).toEqual(["MIT", "GPL-2+"]);
    expect(parseCopyrightLicenses(`Upstream-Name: x\n\n${fmt}\nLicense: MIT\n`)).toEqual([]);
    expect(parseCopyrightLicenses("Format: https://example.org/other/\n\nFiles: *\nLicense: MIT\n")).toEqual([]);
    expect(parseCopyrightLicenses("")).toEqual([]);
  });

  it("keeps at most MAX_LICENSES names and drops absurdly long ones", () => {
    const many = Array.from({ length: 500 }, (_, i) => `Files: f${i}\nLicense: L-${i}\n`).join("\n");
    const out = parseCopyrightLicenses(`Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n${many}\nFiles: y\nLicense: ${"x".repeat(2000)}\n`);
    expect(out).toHaveLength(MAX_LICENSES);
    expect(out.every((l) => l.length < 10)).toBe(true);
  });
});

describe("dpkg-copyright cataloger", () => {
  it.each([
    ["/usr/share/doc/libsqlite3-0/copyright", true],
    ["/usr/share/doc/copyright", false],
    ["/usr/share/doc/ca-certificates/examples/ca-certificates-local/debian/copyright", false],
    ["/opt/usr/share/doc/x/copyright", false],
  ])("wants %s → %s", (p, want) => expect(dpkgCopyrightCataloger.wants(p, { size: 100, mode: 0o644 })).toBe(want));

  it("emits a license note that finalizeInventory folds into the dpkg package of that name, then drops", async () => {
    const ctx = recordingContext();
    const notes = await dpkgCopyrightCataloger.parse(layerFile(join(DB, "distroless-syft/usr/share/doc/libsqlite3-0/copyright"), "/usr/share/doc/libsqlite3-0/copyright"), ctx);
    expect(notes).toMatchObject([{ type: DPKG_LICENSE_NOTE, name: "libsqlite3-0", licenses: ["public-domain", "GPL-2+"] }]);
    const pkgs = await dpkgCataloger.parse(layerFile(join(DB, "distroless-syft/var/lib/dpkg/status.d/libsqlite3-0"), "/var/lib/dpkg/status.d/libsqlite3-0"), ctx);
    const other: Package = { type: "npm", name: "libsqlite3-0", version: "1.0.0", ecosystem: "npm", purl: "pkg:npm/libsqlite3-0@1.0.0", path: "/app/node_modules/libsqlite3-0/package.json" };
    const out = finalizeInventory([...notes, ...pkgs, other], { id: "debian", versionId: "11" });
    expect(out.map((p) => [p.type, p.name, p.licenses])).toEqual([
      ["dpkg", "libsqlite3-0", ["public-domain", "GPL-2+"]],
      ["npm", "libsqlite3-0", undefined],
    ]);
    expect(ctx.unknowns).toEqual([]);
  });

  it("binary garbage named copyright is an error (recorded as an unknown), never a crash", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lookout-copyright-"));
    writeFileSync(join(dir, "c"), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]));
    await expect(dpkgCopyrightCataloger.parse(layerFile(join(dir, "c"), "/usr/share/doc/x/copyright"), recordingContext())).rejects.toSatisfy((e) =>
      isLookoutError(e, "LKT_ERR_PACKAGE_DB_INVALID"),
    );
  });
});
