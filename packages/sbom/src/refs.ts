import { createHash } from "node:crypto";
import type { Package } from "@lookout/domain";

/** Stable short hash of what makes a package occurrence distinct. */
function occurrence(p: Package): string {
  return createHash("sha256")
    .update([p.type, p.name, p.version, p.arch ?? "", p.path, p.layerDigest ?? ""].join("\0"))
    .digest("hex")
    .slice(0, 16);
}

/**
 * The CycloneDX bom-ref of a package: deterministic, so a caller that adds vulnerabilities
 * can compute the ref of the component a finding affects without holding the document.
 */
export function componentRef(p: Package): string {
  return `pkg:${p.type}/${p.name}@${p.version}#${occurrence(p)}`;
}

/** SPDXID of a package: "SPDXRef-Package-" + letters, digits, '.' and '-' only. */
export function spdxPackageId(p: Package): string {
  const safe = `${p.type}-${p.name}`.replace(/[^A-Za-z0-9.-]+/g, "-");
  return `SPDXRef-Package-${safe}-${occurrence(p)}`;
}

/** Drops exact duplicate occurrences (same ref), keeping the first. */
export function uniquePackages(pkgs: Package[]): Package[] {
  const seen = new Set<string>();
  return pkgs.filter((p) => {
    const r = componentRef(p);
    if (seen.has(r)) return false;
    seen.add(r);
    return true;
  });
}
