import { execFileSync } from "node:child_process";
import { cpSync, chmodSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rpmCataloger } from "./index.js";
import { layerFile, recordingContext } from "../dpkg/layer-file.testutil.js";

/**
 * The rpm cataloger (pure TypeScript) must list what rpm itself lists. Debian's rpm 4.18 reads
 * sqlite natively and Berkeley DB through its read-only bdb_ro backend (after --rebuilddb into
 * sqlite, since the fixtures ship without the Name index); it has no NDB support, so the SUSE NDB
 * fixture is checked against go-rpmdb's list in rpm.test.ts instead.
 */
const DB = new URL("../../testdata/os/package-db/rpm/", import.meta.url).pathname;
const QF = "%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\t%{LICENSE}\\t%{VENDOR}\\t%{MODULARITYLABEL}\\n";

function copyDb(rel: string): string {
  const dir = mkdtempSync(join(tmpdir(), "lookout-rpmdb-"));
  cpSync(join(DB, rel), dir, { recursive: true });
  for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o644);
  return dir;
}

function rpmQa(dbpath: string): string[] {
  const out = execFileSync("rpm", ["--dbpath", dbpath, "-qa", "--qf", QF], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  // An empty tag (dive's Vendor) and a missing one are the same to us: both print "(none)".
  return out
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("gpg-pubkey\t"))
    .map((l) => l.split("\t").map((f) => (f === "" ? "(none)" : f)).join("\t"))
    .sort();
}

async function ours(host: string, path: string): Promise<string[]> {
  const ctx = recordingContext();
  const pkgs = await rpmCataloger.parse(layerFile(host, path), ctx);
  expect(ctx.unknowns).toEqual([]);
  const none = (s: string | undefined) => s ?? "(none)";
  return pkgs
    .map((p) => [p.name, p.epoch ?? "(none)", p.version.replace(/^\d+:/, "").slice(0, -(p.release ?? "").length - 1), p.release, none(p.arch), none(p.meta?.sourceRpm), none(p.licenses?.[0]), none(p.meta?.vendor), none(p.meta?.modularityLabel)].join("\t"))
    .sort();
}

describe("rpm cataloger == rpm -qa", () => {
  it("CBL-Mariner 2.0 rpmdb.sqlite (129 packages)", async () => {
    const dir = copyDb("cbl-mariner-2.0-sqlite/var/lib/rpm");
    const want = rpmQa(dir);
    expect(want).toHaveLength(129);
    expect(await ours(join(dir, "rpmdb.sqlite"), "/var/lib/rpm/rpmdb.sqlite")).toEqual(want);
  });

  it.each(["el8-libuuid-bdb", "centos8-dive-bdb", "fedora32-epoch-bdb"])("%s Berkeley DB Packages", async (name) => {
    const dir = copyDb(`${name}/var/lib/rpm`);
    const bdbList = await ours(join(dir, "Packages"), "/var/lib/rpm/Packages");
    execFileSync("rpm", ["--dbpath", dir, "--rebuilddb"], { stdio: "ignore" });
    const want = rpmQa(dir);
    expect(want.length).toBeGreaterThan(0);
    expect(bdbList).toEqual(want);
    // rpm has now written a fresh sqlite database from it: our sqlite reader must agree too.
    expect(await ours(join(dir, "rpmdb.sqlite"), "/var/lib/rpm/rpmdb.sqlite")).toEqual(want);
  });
});
