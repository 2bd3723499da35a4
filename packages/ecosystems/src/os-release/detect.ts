import type { Distro } from "../types.js";
import { parseOsRelease } from "./parse-os-release.js";

/** Absolute paths detectDistro reads, in order of preference; the layer walker keeps these. */
export const DISTRO_FILES: string[] = [
  "/etc/os-release",
  "/usr/lib/os-release",
  "/etc/alpine-release",
  "/etc/debian_version",
  "/etc/redhat-release",
  "/etc/lsb-release",
];

/** Release files are tiny; anything larger is not one. */
const MAX_RELEASE_FILE = 64 * 1024;

/**
 * Identifies the distribution from the merged release files of an image (path → content).
 * os-release wins (/etc before /usr/lib); without it the distro-specific files are tried.
 * Returns undefined when nothing identifies a distribution (scratch, distroless/static).
 */
export function detectDistro(files: Map<string, Buffer>): Distro | undefined {
  const text = (p: string): string | undefined => {
    const b = files.get(p);
    if (!b || b.length > MAX_RELEASE_FILE || b.includes(0)) return undefined;
    return b.toString("utf8");
  };
  const osr = text("/etc/os-release") ?? text("/usr/lib/os-release");
  const fromOsRelease = osr === undefined ? undefined : distroFromOsRelease(osr, text("/etc/debian_version"));
  if (fromOsRelease) return fromOsRelease;

  const alpine = text("/etc/alpine-release")?.trim();
  if (alpine) return { id: "alpine", versionId: alpine };
  const lsb = text("/etc/lsb-release");
  const fromLsb = lsb === undefined ? undefined : distroFromLsb(lsb);
  if (fromLsb) return fromLsb;
  const rh = text("/etc/redhat-release");
  const fromRh = rh === undefined ? undefined : distroFromRedhatRelease(rh);
  if (fromRh) return fromRh;
  const deb = text("/etc/debian_version")?.trim();
  if (deb) return distroFromDebianVersion(deb);
  return undefined;
}

function distroFromOsRelease(text: string, debianVersion: string | undefined): Distro | undefined {
  const f = parseOsRelease(text).fields;
  const id = f.ID?.trim().toLowerCase();
  if (!id) return undefined;
  const d: Distro = { id };
  const versionId = f.VERSION_ID?.trim();
  if (versionId) d.versionId = versionId;
  const codename = f.VERSION_CODENAME?.trim() || f.UBUNTU_CODENAME?.trim() || codenameFromVersion(id, f.VERSION);
  if (codename) d.codename = codename;
  if (f.PRETTY_NAME) d.prettyName = f.PRETTY_NAME;
  // Debian testing/sid os-release has no VERSION_ID; a numeric debian_version still names the release.
  if (id === "debian" && !d.versionId && debianVersion) {
    const m = /^(\d+)(?:\.\d+)*\s*$/.exec(debianVersion);
    if (m?.[1]) d.versionId = m[1];
  }
  return d;
}

/** Debian 7/8 and Ubuntu 12.04/14.04 carry the codename only inside VERSION. */
function codenameFromVersion(id: string, version: string | undefined): string | undefined {
  if (!version || (id !== "debian" && id !== "ubuntu")) return undefined;
  const paren = /\(([A-Za-z]+)(?:[\s)])/.exec(version);
  if (paren?.[1]) return paren[1].toLowerCase();
  const comma = /,\s*([A-Za-z]+)/.exec(version);
  return comma?.[1]?.toLowerCase();
}

function distroFromLsb(text: string): Distro | undefined {
  const f = parseOsRelease(text).fields;
  const id = f.DISTRIB_ID?.trim().toLowerCase();
  if (!id) return undefined;
  const d: Distro = { id };
  if (f.DISTRIB_RELEASE) d.versionId = f.DISTRIB_RELEASE.trim();
  if (f.DISTRIB_CODENAME) d.codename = f.DISTRIB_CODENAME.trim();
  if (f.DISTRIB_DESCRIPTION) d.prettyName = f.DISTRIB_DESCRIPTION;
  return d;
}

/** "<name> [Server] release <version> (<codename>)", first matching name wins. */
const REDHAT_NAMES: [RegExp, string][] = [
  [/^Red Hat Enterprise Linux/i, "rhel"],
  [/^CentOS Stream/i, "centos"],
  [/^CentOS/i, "centos"],
  [/^Rocky Linux/i, "rocky"],
  [/^AlmaLinux/i, "almalinux"],
  [/^Fedora/i, "fedora"],
  [/^Oracle Linux/i, "ol"],
];

function distroFromRedhatRelease(text: string): Distro | undefined {
  const line = text.split("\n")[0]?.trim() ?? "";
  const m = /release\s+([0-9][0-9.]*)(?:\s+\(([^)]+)\))?/i.exec(line);
  const id = REDHAT_NAMES.find(([re]) => re.test(line))?.[1];
  if (!id || !m?.[1]) return undefined;
  const d: Distro = { id, versionId: m[1], prettyName: line };
  if (m[2]) d.codename = m[2];
  return d;
}

function distroFromDebianVersion(v: string): Distro {
  const num = /^(\d+)(?:\.\d+)*$/.exec(v);
  if (num?.[1]) return { id: "debian", versionId: num[1] };
  // "buster/sid", "trixie/sid": testing or unstable, no release number.
  const code = /^([a-z]+)(?:\/sid)?$/.exec(v);
  return code?.[1] ? { id: "debian", codename: v.endsWith("/sid") ? "sid" : code[1] } : { id: "debian" };
}
