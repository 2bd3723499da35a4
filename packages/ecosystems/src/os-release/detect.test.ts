import { readdirSync, readFileSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { detectDistro, DISTRO_FILES } from "./detect.js";
import { parseOsRelease } from "./parse-os-release.js";
import { osEcosystem } from "./ecosystem.js";

const ROOT = new URL("../../testdata/os/os-release/", import.meta.url).pathname;

/** Reads the release files of one fixture root the way the layer walker hands them over. */
function filesOf(dir: string): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (const p of DISTRO_FILES) {
    const f = join(ROOT, dir, p);
    if (existsSync(f)) m.set(p, readFileSync(f));
  }
  return m;
}

// Expected values are the fixture's os-release/redhat-release contents (MANIFEST "ID=… VERSION_ID=…").
const CASES: [dir: string, id: string, versionId: string | undefined, codename: string | undefined, ecosystem: string][] = [
  ["almalinux", "almalinux", "9.4", undefined, "AlmaLinux:9"],
  ["alpine/3.3", "alpine", "3.3.3", undefined, "Alpine:v3.3"],
  ["alpine/3.10", "alpine", "3.10.9", undefined, "Alpine:v3.10"],
  ["alpine/3.18", "alpine", "3.18.4", undefined, "Alpine:v3.18"],
  ["alpine/edge", "alpine", "3.19_alpha20230901", undefined, "Alpine:v3.19"],
  ["amazon/2", "amzn", "2", undefined, "Amazon Linux:2"],
  ["azurelinux/3.0", "azurelinux", "3.0", undefined, "Azure Linux:3.0"],
  ["bottlerocket", "bottlerocket", "1.34.0", undefined, "Red Hat"],
  ["centos", "centos", "7", undefined, "CentOS:7"],
  ["centos/5", "centos", "5.7", "Final", "CentOS:5"],
  ["chainguard", "chainguard", "20230214", undefined, "Chainguard"],
  ["debian/7", "debian", "7", "wheezy", "Debian:7"],
  ["debian/8", "debian", "8", "jessie", "Debian:8"],
  ["debian/9", "debian", "9", "stretch", "Debian:9"],
  ["debian/10", "debian", "10", "buster", "Debian:10"],
  ["debian/11", "debian", "11", "bullseye", "Debian:11"],
  ["debian/12", "debian", "12", "bookworm", "Debian:12"],
  ["debian/sid", "debian", undefined, "trixie", "Debian"],
  ["distroless/debian-9", "debian", "9", "stretch", "Debian:9"],
  ["distroless/debian-10", "debian", "10", "buster", "Debian:10"],
  ["distroless/debian-11", "debian", "11", "bullseye", "Debian:11"],
  ["fedora", "fedora", "42", undefined, "Fedora:42"],
  ["hummingbird", "hummingbird", "20251124", undefined, "Red Hat"],
  ["mariner/2.0", "mariner", "2.0", undefined, "Mariner:2.0"],
  ["oracle", "ol", "8.10", undefined, "Oracle Linux:8"],
  ["photon", "photon", "4.0", undefined, "Photon OS:4.0"],
  ["rhel/7", "rhel", "7.7", undefined, "Red Hat:7"],
  ["rhel/8", "rhel", "8.1", undefined, "Red Hat:8"],
  ["rhel/9", "rhel", "9.0", undefined, "Red Hat:9"],
  ["rhel/9.4", "rhel", "9.4", undefined, "Red Hat:9"],
  ["rocky/8.4", "rocky", "8.4", undefined, "Rocky Linux:8"],
  ["rocky/9.3", "rocky", "9.3", undefined, "Rocky Linux:9"],
  ["suse/opensuse-leap-15.2.1", "opensuse-leap", "15.2.1", undefined, "openSUSE:Leap 15.2.1"],
  ["suse/opensuse-tumbleweed", "opensuse-tumbleweed", "20220412", undefined, "openSUSE:Tumbleweed"],
  ["suse/sles-15.3", "sles", "15.3", undefined, "SUSE:Linux Enterprise Server 15 SP3"],
  ["suse/slemicro", "sle-micro", "5.3", undefined, "SUSE:Linux Enterprise Micro 5.3"],
  ["ubuntu/12.04", "ubuntu", "12.04", "precise", "Ubuntu:12.04"],
  ["ubuntu/14.04", "ubuntu", "14.04", "trusty", "Ubuntu:14.04"],
  ["ubuntu/16.04", "ubuntu", "16.04", "xenial", "Ubuntu:16.04"],
  ["ubuntu/18.04", "ubuntu", "18.04", "bionic", "Ubuntu:18.04"],
  ["ubuntu/20.04", "ubuntu", "20.04", "focal", "Ubuntu:20.04"],
  ["ubuntu/22.04", "ubuntu", "22.04", "jammy", "Ubuntu:22.04"],
  ["ubuntu/23.10", "ubuntu", "23.10", "mantic", "Ubuntu:23.10"],
  ["wolfi", "wolfi", "20220914", undefined, "Wolfi"],
];

const PKG_TYPE: Record<string, string> = { debian: "dpkg", ubuntu: "dpkg", alpine: "apk", wolfi: "apk", chainguard: "apk" };

describe("detectDistro over every os-release fixture", () => {
  it.each(CASES)("%s", (dir, id, versionId, codename, ecosystem) => {
    const d = detectDistro(filesOf(dir));
    expect(d?.id).toBe(id);
    expect(d?.versionId).toBe(versionId);
    expect(d?.codename).toBe(codename);
    expect(osEcosystem(PKG_TYPE[id] ?? "rpm", d)).toBe(ecosystem);
  });

  it("covers every fixture directory that holds a release file", () => {
    const dirs: string[] = [];
    const walk = (rel: string): void => {
      if (DISTRO_FILES.some((p) => existsSync(join(ROOT, rel, p)))) dirs.push(rel);
      for (const e of readdirSync(join(ROOT, rel))) {
        if (e !== "etc" && e !== "usr" && statSync(join(ROOT, rel, e)).isDirectory()) walk(rel ? `${rel}/${e}` : e);
      }
    };
    walk("");
    expect(dirs.sort()).toEqual(CASES.map((c) => c[0]).sort());
  });

  it("agrees with claircore's Alpine 'want' records (major.minor or edge)", () => {
    for (const v of ["3.3", "3.10", "3.18", "edge"]) {
      const want = JSON.parse(readFileSync(join(ROOT, "alpine", v, "expected.claircore.want"), "utf8")) as { did: string; pretty_name: string }[];
      const d = detectDistro(filesOf(`alpine/${v}`));
      expect(d?.id).toBe(want[0]?.did);
      expect(d?.prettyName).toBe(want[0]?.pretty_name);
    }
  });

  it("falls back from a missing os-release to /etc/redhat-release (RHEL 8)", () => {
    const m = filesOf("rhel/8");
    m.delete("/etc/os-release");
    expect(detectDistro(m)).toEqual({ id: "rhel", versionId: "8.1", codename: "Ootpa", prettyName: "Red Hat Enterprise Linux Server release 8.1 (Ootpa)" });
  });

  it("falls back to /etc/lsb-release (Ubuntu 12.04) and /etc/debian_version (Debian 9, sid)", () => {
    const u = filesOf("ubuntu/12.04");
    u.delete("/etc/os-release");
    expect(detectDistro(u)).toEqual({ id: "ubuntu", versionId: "12.04", codename: "precise", prettyName: "Ubuntu 12.04.5 LTS" });
    const d9 = filesOf("debian/9");
    d9.delete("/etc/os-release");
    expect(detectDistro(d9)).toEqual({ id: "debian", versionId: "9" });
    const sid = filesOf("debian/sid");
    sid.delete("/usr/lib/os-release");
    expect(detectDistro(sid)).toEqual({ id: "debian", codename: "sid" });
  });

  it("returns undefined with no release files and ignores binary garbage", () => {
    expect(detectDistro(new Map())).toBeUndefined();
    expect(detectDistro(new Map([["/etc/os-release", Buffer.from([0, 1, 2, 0xff, 0x3d])]]))).toBeUndefined();
  });
});

/** claircore osrelease txtar fixtures: "-- os-release --" then "-- Parsed --" JSON. */
function txtar(name: string): Map<string, string> {
  const text = readFileSync(join(ROOT, name), "utf8");
  const out = new Map<string, string>();
  const parts = text.split(/^-- (.+) --$/m);
  for (let i = 1; i + 1 < parts.length; i += 2) out.set(parts[i] as string, (parts[i + 1] as string).replace(/^\n/, ""));
  return out;
}

describe("parseOsRelease / detectDistro against claircore's txtar expectations", () => {
  // "corrupt" is gcr.io/distroless's non-standard file: VERSION carries the distro name and no
  // VERSION_CODENAME. claircore leaves the codename empty; we read it from VERSION's "(bookworm)".
  it.each([
    ["distroless/debian-12-claircore-valid.txtar", "bookworm"],
    ["distroless/debian-12-claircore-corrupt.txtar", "bookworm"],
    ["rhel/ubi8-claircore.txtar", undefined],
  ])("%s", (name, codename) => {
    const t = txtar(name);
    const body = t.get("os-release") ?? "";
    const parsed = parseOsRelease(body);
    expect(parsed.fields).toEqual(JSON.parse(t.get("Parsed") ?? "{}"));
    expect(parsed.malformedLines).toEqual([]);
    const want = JSON.parse(t.get("Distribution") ?? "{}") as { did: string; version_id: string; version_code_name?: string };
    const d = detectDistro(new Map([["/etc/os-release", Buffer.from(body)]]));
    expect(d).toMatchObject({ id: want.did, versionId: want.version_id });
    expect(d?.codename).toBe(want.version_code_name ?? codename);
  });

  it("keeps the good keys of a truncated file and flags the broken line", () => {
    const full = txtar("distroless/debian-12-claircore-valid.txtar").get("os-release") ?? "";
    const cut = full.slice(0, full.indexOf("https://bugs.debian.org/"));
    const parsed = parseOsRelease(cut);
    expect(parsed.fields.ID).toBe("debian");
    expect(parsed.fields.BUG_REPORT_URL).toBeUndefined();
    expect(parsed.malformedLines).toEqual([cut.split("\n").length]);
    expect(detectDistro(new Map([["/etc/os-release", Buffer.from(cut)]]))).toMatchObject({ id: "debian", versionId: "12" });
  });

  it("unescapes double-quoted values", () => {
    expect(parseOsRelease('NAME="a \\"b\\" \\\\ c"\nX=\'y z\'\n# c\nBAD LINE\n').fields).toEqual({ NAME: 'a "b" \\ c', X: "y z" });
  });
});
