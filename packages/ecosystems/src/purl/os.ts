import type { Distro, Package } from "../types.js";
import { buildPurl } from "./purl.js";

/**
 * purls for OS packages. A cataloger builds one without a distro (it sees one file); the
 * finalize step rebuilds it once the image's distro is known, which fixes the namespace
 * (debian → ubuntu, alpine → wolfi, redhat → rocky, ...) and adds `distro=<id>-<version>`.
 */

/** purl namespace per os-release ID, where the purl convention differs from the ID. */
const RPM_NAMESPACE: Record<string, string> = { rhel: "redhat", "ol": "oracle", "amzn": "amazon" };

export function distroQualifier(distro: Distro | undefined): string | undefined {
  if (!distro) return undefined;
  const v = distro.versionId ?? distro.codename;
  return v ? `${distro.id}-${v}` : distro.id;
}

type OsFields = Pick<Package, "type" | "name" | "version" | "arch" | "epoch">;

/** Builds the purl of a dpkg, apk or rpm package; `undefined` for other package types. */
export function osPurl(p: OsFields, distro?: Distro): string | undefined {
  const d = distroQualifier(distro);
  switch (p.type) {
    case "dpkg":
      return buildPurl({
        type: "deb",
        namespace: distro?.id ?? "debian",
        name: p.name,
        version: p.version,
        qualifiers: { arch: p.arch, distro: d },
      });
    case "apk":
      return buildPurl({
        type: "apk",
        namespace: distro?.id ?? "alpine",
        name: p.name,
        version: p.version,
        qualifiers: { arch: p.arch, distro: d },
      });
    case "rpm": {
      // Package.version for rpm is "[epoch:]version-release"; purl carries epoch as a qualifier.
      const id = distro?.id;
      return buildPurl({
        type: "rpm",
        namespace: id ? (RPM_NAMESPACE[id] ?? id) : "redhat",
        name: p.name,
        version: p.version.replace(/^\d+:/, ""),
        qualifiers: { arch: p.arch, distro: d, epoch: p.epoch ? String(p.epoch) : undefined },
      });
    }
    default:
      return undefined;
  }
}

/** Shorthand for the dpkg cataloger (always defined). */
export function debPurl(p: { name: string; version: string; arch?: string | undefined }): string {
  return osPurl({ type: "dpkg", name: p.name, version: p.version, arch: p.arch }) ?? "";
}
