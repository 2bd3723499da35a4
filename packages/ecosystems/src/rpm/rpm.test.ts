import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isLookoutError, type Package } from "@lookout/domain";
import { rpmCataloger } from "./index.js";
import { layerFile, recordingContext } from "../dpkg/layer-file.testutil.js";
import { splitSourceRpm } from "./read-db.js";

const DB = new URL("../../testdata/os/package-db/rpm/", import.meta.url).pathname;
const FIXTURES = {
  sqlite: ["cbl-mariner-2.0-sqlite/var/lib/rpm/rpmdb.sqlite", "/var/lib/rpm/rpmdb.sqlite"],
  libuuid: ["el8-libuuid-bdb/var/lib/rpm/Packages", "/var/lib/rpm/Packages"],
  dive: ["centos8-dive-bdb/var/lib/rpm/Packages", "/var/lib/rpm/Packages"],
  hello: ["fedora32-epoch-bdb/var/lib/rpm/Packages", "/var/lib/rpm/Packages"],
  ndb: ["sle15-bci-ndb/usr/lib/sysimage/rpm/Packages.db", "/usr/lib/sysimage/rpm/Packages.db"],
} as const;

async function parse(host: string, path: string) {
  const ctx = recordingContext();
  const pkgs = await rpmCataloger.parse(layerFile(host, path), ctx);
  return { pkgs, unknowns: ctx.unknowns };
}
const fixture = (k: keyof typeof FIXTURES) => parse(join(DB, FIXTURES[k][0]), FIXTURES[k][1]);

describe("rpm wants", () => {
  it.each([
    ["/var/lib/rpm/Packages", true],
    ["/var/lib/rpm/rpmdb.sqlite", true],
    ["/usr/lib/sysimage/rpm/Packages.db", true],
    ["/var/lib/rpm/Name", false],
    ["/var/lib/rpm/rpmdb.sqlite-shm", false],
    ["/opt/app/var/lib/rpm/Packages", false],
  ])("%s → %s", (p, want) => expect(rpmCataloger.wants(p, { size: 1, mode: 0o644 })).toBe(want));
});

describe("rpm databases against the origin tools' expectations", () => {
  it("SLE 15 BCI NDB (go-rpmdb): exact 35-package list in DB order with all fields", async () => {
    const want = JSON.parse(readFileSync(join(DB, "sle15-bci-ndb/expected.go-rpmdb.json"), "utf8")) as {
      packages: { epoch: number | null; name: string; version: string; release: string; arch: string; sourcerpm: string; license: string; vendor: string; modularitylabel: string }[];
    };
    const { pkgs, unknowns } = await fixture("ndb");
    expect(unknowns).toEqual([]);
    expect(pkgs.map((p) => [p.name, p.epoch ?? null, p.version, p.release, p.arch, p.meta?.sourceRpm, p.licenses?.[0], p.meta?.vendor, p.meta?.modularityLabel ?? ""])).toEqual(
      want.packages.map((w) => [w.name, w.epoch, `${w.epoch ? `${w.epoch}:` : ""}${w.version}-${w.release}`, w.release, w.arch, w.sourcerpm, w.license, w.vendor, w.modularitylabel]),
    );
  });

  it("CBL-Mariner 2.0 sqlite (go-rpmdb): curl header fields", async () => {
    const want = (JSON.parse(readFileSync(join(DB, "cbl-mariner-2.0-sqlite/expected.go-rpmdb.json"), "utf8")) as { asserted_package: Record<string, string> }).asserted_package;
    const { pkgs } = await fixture("sqlite");
    expect(pkgs).toHaveLength(129);
    const curl = pkgs.find((p) => p.name === "curl");
    expect([curl?.version, curl?.arch, curl?.meta?.sourceRpm, curl?.licenses, curl?.meta?.vendor, curl?.sourceName]).toEqual([
      `${want.Version}-${want.Release}`, want.Arch, want.SourceRpm, [want.License], want.Vendor, "curl",
    ]);
  });

  it("RHEL 8 libuuid BDB (go-rpmdb): source rpm is util-linux", async () => {
    const want = (JSON.parse(readFileSync(join(DB, "el8-libuuid-bdb/expected.go-rpmdb.json"), "utf8")) as { asserted_package: Record<string, string> }).asserted_package;
    const { pkgs } = await fixture("libuuid");
    expect(pkgs.map((p) => [p.name, p.version, p.arch, p.meta?.sourceRpm, p.licenses?.[0], p.meta?.vendor, p.sourceName, p.sourceVersion])).toEqual([
      [want.Name, `${want.Version}-${want.Release}`, want.Arch, want.SourceRpm, want.License, want.Vendor, "util-linux", "2.32.1-42.el8_8"],
    ]);
  });

  it("CentOS 8 dive BDB (syft)", async () => {
    const { pkgs } = await fixture("dive");
    expect(pkgs.map((p) => [p.name, p.version, p.arch, p.licenses, p.meta?.vendor])).toEqual([["dive", "0.9.2-1", "x86_64", ["MIT"], undefined]]);
  });

  it("Fedora 32 epoch BDB (osv-scalibr): epoch in version and purl qualifier", async () => {
    const { pkgs } = await fixture("hello");
    expect(pkgs.map((p): unknown[] => [p.name, p.epoch, p.version, p.meta?.sourceRpm, p.licenses, p.purl])).toEqual([
      ["hello", 1, "1:0.0.1-rls", "hello-0.0.1-rls.src.rpm", ["GPL"], "pkg:rpm/redhat/hello@0.0.1-rls?arch=x86_64&epoch=1"],
    ]);
  });

  it("splits source rpm file names", () => {
    expect(splitSourceRpm("util-linux-2.32.1-42.el8_8.src.rpm")).toEqual({ name: "util-linux", version: "2.32.1", release: "42.el8_8" });
    expect(splitSourceRpm("kernel-5.14.0-1.nosrc.rpm")).toEqual({ name: "kernel", version: "5.14.0", release: "1" });
    expect(splitSourceRpm("garbage")).toBeUndefined();
  });
});

/** Every outcome must be a package list or a typed LookoutError; anything else is a crash. */
async function outcome(bytes: Buffer, path: string): Promise<Package[] | "typed-error"> {
  const dir = mkdtempSync(join(tmpdir(), "lookout-rpm-"));
  const f = join(dir, "db");
  writeFileSync(f, bytes);
  try {
    return (await parse(f, path)).pkgs;
  } catch (e) {
    if (isLookoutError(e, "LKT_ERR_PACKAGE_DB_INVALID")) return "typed-error";
    throw e;
  }
}

/** Deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe("corrupt and truncated databases: typed error or partial result, never a crash", () => {
  it.each(Object.keys(FIXTURES) as (keyof typeof FIXTURES)[])("%s truncated at many points", async (k) => {
    const full = readFileSync(join(DB, FIXTURES[k][0]));
    const cuts = [0, 1, 15, 100, 511, 4096, Math.floor(full.length / 3), Math.floor(full.length / 2), full.length - 1];
    const results = [];
    for (const cut of cuts) results.push(await outcome(full.subarray(0, Math.max(0, cut)), FIXTURES[k][1]));
    expect(results[0]).toBe("typed-error"); // empty file
    expect(results.some((r) => r === "typed-error")).toBe(true);
  });

  it.each(Object.keys(FIXTURES) as (keyof typeof FIXTURES)[])("%s with random byte corruption", async (k) => {
    const full = readFileSync(join(DB, FIXTURES[k][0]));
    const rand = rng(0x5eed + k.length);
    for (let round = 0; round < 25; round++) {
      const b = Buffer.from(full);
      for (let i = 0; i < 64; i++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      const r = await outcome(b, FIXTURES[k][1]);
      expect(r === "typed-error" || Array.isArray(r)).toBe(true);
    }
  });

  it("rejects a file that is no rpm database", async () => {
    expect(await outcome(Buffer.from("PK\u0003\u0004 definitely a zip, not an rpmdb".repeat(40)), "/var/lib/rpm/Packages")).toBe("typed-error");
  });

  it("records a corrupt header as an unknown and keeps the rest (ndb)", async () => {
    // The first NDB slot (right after the 32-byte header) points at the first blob; zero that
    // header's index count so only that one package is unreadable.
    const b = readFileSync(join(DB, FIXTURES.ndb[0]));
    const blob = b.readUInt32LE(32 + 8) * 16 + 16;
    b.writeUInt32BE(0, blob);
    const dir = mkdtempSync(join(tmpdir(), "lookout-rpm-"));
    writeFileSync(join(dir, "Packages.db"), b);
    const { pkgs, unknowns } = await parse(join(dir, "Packages.db"), FIXTURES.ndb[1]);
    expect(pkgs).toHaveLength(34);
    expect(pkgs.some((p) => p.name === "system-user-root")).toBe(false);
    expect(unknowns).toEqual([{ path: FIXTURES.ndb[1], reason: expect.stringMatching(/rpm header #1: .*index length 0/) }]);
  });
});

describe("Mariner distroless rpm manifest", () => {
  it("lists the packages of container-manifest-2 (syft fixture), epoch and source rpm included", async () => {
    const { pkgs, unknowns } = await parse(join(DB, "cbl-mariner-distroless/var/lib/rpmmanifest/container-manifest-2"), "/var/lib/rpmmanifest/container-manifest-2");
    expect(unknowns).toEqual([]);
    expect(pkgs.map((p) => [p.name, p.version, p.arch, p.meta?.sourceRpm, p.sourceName])).toEqual([
      ["mariner-release", "2.0-12.cm2", "noarch", "mariner-release-2.0-12.cm2.src.rpm", "mariner-release"],
      ["filesystem", "1.1-9.cm2", "x86_64", "filesystem-1.1-9.cm2.src.rpm", "filesystem"],
      ["glibc", "2.35-2.cm2", "x86_64", "glibc-2.35-2.cm2.src.rpm", "glibc"],
      ["openssl-libs", "1.1.1k-15.cm2", "x86_64", "openssl-1.1.1k-15.cm2.src.rpm", "openssl"],
      ["vim", "2:9.0-1.cm2", "x86_64", "vim-9.0-1.cm2.src.rpm", "vim"],
    ]);
    expect(pkgs[4]?.epoch).toBe(2);
  });

  it("records a malformed line and keeps the rest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lookout-rpm-"));
    const good = readFileSync(join(DB, "cbl-mariner-distroless/var/lib/rpmmanifest/container-manifest-2"), "utf8");
    writeFileSync(join(dir, "m"), `not\ta\tmanifest line\n${good}`);
    const { pkgs, unknowns } = await parse(join(dir, "m"), "/var/lib/rpmmanifest/container-manifest-2");
    expect(pkgs).toHaveLength(5);
    expect(unknowns).toEqual([{ path: "/var/lib/rpmmanifest/container-manifest-2", reason: expect.stringMatching(/^line 1: /) }]);
  });
});
