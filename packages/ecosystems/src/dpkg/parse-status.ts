import { LookoutError } from "@lookout/domain";
import type { Package } from "../types.js";
import { parseStanzas, parseStanzasFrom, type Stanza } from "./parse-control.js";
import { debPurl } from "../purl/os.js";

/**
 * Turns a dpkg status database (or one distroless status.d entry) into packages, the way
 * `dpkg-query -W -f='${Package} ${Version} ${source:Package} ${source:Version}'` reports them
 * for installed packages.
 *
 * - `Status` must say "installed" in its third word; status.d entries carry no Status and are
 *   installed by construction (distroless writes only installed packages).
 * - `Source: name (version)` gives the source version; without the parenthesis the source version
 *   is the binary version, and without `Source` both equal the binary's.
 */
/** The fields read below (and by isVcpkg); the rest of a stanza is skipped unparsed. */
const STATUS_FIELDS = new Set(["package", "status", "version", "source", "architecture", "maintainer", "type", "abi", "feature"]);

export function parseDpkgStatus(text: string | Buffer, path: string, opts: { statusOptional: boolean }): Package[] {
  const stanzas = typeof text === "string" ? parseStanzas(text, STATUS_FIELDS) : parseStanzasFrom(text, STATUS_FIELDS);
  const pkgs: Package[] = [];
  for (const s of stanzas) {
    if (isVcpkg(s)) {
      throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `dpkg: ${path} is a vcpkg status file, not a dpkg database`);
    }
    const name = s.get("package");
    if (!name) continue;
    const status = s.get("status");
    if (status === undefined ? !opts.statusOptional : !isInstalled(status)) continue;
    const version = s.get("version") ?? "";
    if (version === "") continue; // dpkg never lists an installed package without a version
    const { sourceName, sourceVersion } = sourceOf(s.get("source"), name, version);
    const arch = s.get("architecture");
    const pkg: Package = {
      type: "dpkg",
      name,
      version,
      ecosystem: "",
      purl: debPurl({ name, version, arch }),
      sourceName,
      sourceVersion,
      path,
    };
    if (arch) pkg.arch = arch;
    const maintainer = s.get("maintainer");
    if (maintainer) pkg.meta = { maintainer };
    pkgs.push(pkg);
  }
  return pkgs;
}

/** dpkg Status is "want flag status"; only the third word tells what is on disk. */
function isInstalled(status: string): boolean {
  const words = status.split(/\s+/);
  return words[2] === "installed";
}

const SOURCE_RE = /^(\S+)(?:\s+\(([^)]+)\))?\s*$/;

function sourceOf(source: string | undefined, name: string, version: string): { sourceName: string; sourceVersion: string } {
  if (!source) return { sourceName: name, sourceVersion: version };
  const m = SOURCE_RE.exec(source);
  if (!m?.[1]) return { sourceName: name, sourceVersion: version };
  return { sourceName: m[1], sourceVersion: m[2]?.trim() ?? version };
}

/** vcpkg writes a dpkg-lookalike "status" (quay/claircore#1359): ports with Abi/Feature fields. */
function isVcpkg(s: Stanza): boolean {
  return s.get("type") === "Port" || s.has("abi") || s.has("feature");
}
