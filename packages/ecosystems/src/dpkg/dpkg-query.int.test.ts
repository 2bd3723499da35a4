import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDpkgStatus } from "./parse-status.js";

/**
 * The dpkg cataloger must report exactly what dpkg itself reports: name, version, source name
 * and source version of every installed package, checked against the real `dpkg-query` on the
 * fixture databases and on this host's own /var/lib/dpkg/status (a full Debian 12 database).
 */
const DB = new URL("../../testdata/os/package-db/dpkg/", import.meta.url).pathname;
const FORMAT = "${db:Status-Status}\\t${Package}\\t${Version}\\t${source:Package}\\t${source:Version}\\t${Architecture}\\n";

function dpkgQuery(statusText: string): string[] {
  const admin = mkdtempSync(join(tmpdir(), "lookout-dpkg-admin-"));
  writeFileSync(join(admin, "status"), statusText);
  const out = execFileSync("dpkg-query", [`--admindir=${admin}`, "-W", `-f=${FORMAT}`], { encoding: "utf8", maxBuffer: 64 << 20 });
  return out
    .split("\n")
    .filter((l) => l.startsWith("installed\t"))
    .map((l) => l.slice("installed\t".length))
    .sort();
}

function ours(statusText: string, statusOptional = false): string[] {
  return parseDpkgStatus(statusText, "/var/lib/dpkg/status", { statusOptional })
    .map((p) => [p.name, p.version, p.sourceName, p.sourceVersion, p.arch ?? ""].join("\t"))
    .sort();
}

const STATUS_FILES = [
  "ubuntu-18.04-trivy/var/lib/dpkg/status",
  "ubuntu-18.04-texlive/var/lib/dpkg/status",
  "debian-12-scalibr/var/lib/dpkg/status",
  "debian-12-scalibr/transitional-status",
  "debian-10-postgresql/var/lib/dpkg/status",
  "debian-only/var/lib/dpkg/status",
  "syft-status-samples/deinstall",
  "syft-status-samples/single",
  "syft-status-samples/coreutils-relationships",
];

describe("dpkg cataloger == dpkg-query", () => {
  it.each(STATUS_FILES)("%s", (rel) => {
    const text = readFileSync(join(DB, rel), "utf8");
    const want = dpkgQuery(text);
    expect(want.length).toBeGreaterThan(0);
    expect(ours(text)).toEqual(want);
  });

  // status.d entries have no Status; dpkg-query treats them as not installed, so we feed it the
  // same stanza with an "installed" status to compare the rest of the fields.
  it.each(["distroless-syft/var/lib/dpkg/status.d/libsqlite3-0", "distroless-syft/var/lib/dpkg/status.d/dash", "distroless-syft/var/lib/dpkg/status.d/netbase", "distroless-scalibr/var/lib/dpkg/status.d/foo"])(
    "%s (status.d)",
    (rel) => {
      const text = readFileSync(join(DB, rel), "utf8");
      const withStatus = text.replace(/^(Package: .*)$/m, "$1\nStatus: install ok installed");
      expect(ours(text, true)).toEqual(dpkgQuery(withStatus));
    },
  );

  it("this host's /var/lib/dpkg/status (real Debian 12 database)", () => {
    expect(existsSync("/var/lib/dpkg/status")).toBe(true);
    const text = readFileSync("/var/lib/dpkg/status", "utf8");
    const want = dpkgQuery(text);
    expect(want.length).toBeGreaterThan(100);
    expect(ours(text)).toEqual(want);
  });
});
