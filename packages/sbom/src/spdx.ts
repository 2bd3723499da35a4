import { randomUUID } from "node:crypto";
import type { Inventory, Package } from "@lookout/domain";
import { classifyLicense, licenseRef } from "./licenses.js";
import { packageProperties } from "./properties.js";
import { spdxPackageId, uniquePackages } from "./refs.js";
import type { SbomCommonOptions, SbomImageMeta } from "./types.js";

type Json = Record<string, unknown>;
const IMAGE_ID = "SPDXRef-Image";
const OS_ID = "SPDXRef-OperatingSystem";
const NOASSERTION = "NOASSERTION";

/**
 * SPDX 2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/) for an image inventory: the document
 * DESCRIBES the image package, which CONTAINS the distro and every package. Packages carry a
 * purl external reference; a license that is not a valid SPDX expression becomes a LicenseRef
 * with the original text in hasExtractedLicensingInfos. Layer digest and path go in `sourceInfo`
 * and in an annotation-free `comment` (SPDX 2.3 has no generic properties).
 */
export function toSPDX(inventory: Inventory, meta: SbomImageMeta, opts: SbomCommonOptions = {}): Json {
  const tool = opts.tool ?? { name: "lookout", version: "0.1.0" };
  const created = (opts.timestamp ?? new Date().toISOString()).replace(/\.\d+Z$/, "Z");
  const extracted = new Map<string, string>();
  const packages: Json[] = [imagePackage(meta)];
  const relationships: Json[] = [{ spdxElementId: "SPDXRef-DOCUMENT", relationshipType: "DESCRIBES", relatedSpdxElement: IMAGE_ID }];

  if (inventory.distro) {
    const d = inventory.distro;
    const os: Json = { name: d.id, SPDXID: OS_ID, downloadLocation: NOASSERTION, filesAnalyzed: false, primaryPackagePurpose: "OPERATING_SYSTEM" };
    if (d.versionId) os.versionInfo = d.versionId;
    if (d.prettyName) os.description = d.prettyName;
    packages.push(os);
    relationships.push({ spdxElementId: IMAGE_ID, relationshipType: "CONTAINS", relatedSpdxElement: OS_ID });
  }
  for (const p of uniquePackages(inventory.packages)) {
    const sp = spdxPackage(p, extracted);
    packages.push(sp);
    relationships.push({ spdxElementId: IMAGE_ID, relationshipType: "CONTAINS", relatedSpdxElement: sp.SPDXID });
  }

  const doc: Json = {
    spdxVersion: "SPDX-2.3",
    dataLicense: "CC0-1.0",
    SPDXID: "SPDXRef-DOCUMENT",
    name: meta.name,
    documentNamespace: `https://lookout.invalid/spdx/${encodeURIComponent(meta.name)}-${opts.uuid ?? randomUUID()}`,
    creationInfo: { created, creators: [`Tool: ${tool.name}-${tool.version}`] },
    documentDescribes: [IMAGE_ID],
    packages,
    relationships,
  };
  if (extracted.size > 0) {
    doc.hasExtractedLicensingInfos = [...extracted].map(([licenseId, text]) => ({ licenseId, extractedText: text, name: text }));
  }
  return doc;
}

function imagePackage(meta: SbomImageMeta): Json {
  const p: Json = { name: meta.name, SPDXID: IMAGE_ID, downloadLocation: NOASSERTION, filesAnalyzed: false, primaryPackagePurpose: "CONTAINER" };
  if (meta.digest) {
    p.versionInfo = meta.digest;
    const [alg, hex] = meta.digest.split(":");
    if (alg === "sha256" && hex) p.checksums = [{ algorithm: "SHA256", checksumValue: hex }];
  }
  return p;
}

function spdxPackage(p: Package, extracted: Map<string, string>): Json {
  const sp: Json = {
    name: p.name,
    SPDXID: spdxPackageId(p),
    versionInfo: p.version,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    licenseConcluded: NOASSERTION,
    licenseDeclared: declared(p.licenses ?? [], extracted),
    copyrightText: NOASSERTION,
    primaryPackagePurpose: "LIBRARY",
    sourceInfo: `found in ${p.path}${p.layerDigest ? ` (layer ${p.layerDigest})` : ""} by the ${p.type} cataloger`,
    comment: packageProperties(p).map((x) => `${x.name}=${x.value}`).join("; "),
  };
  if (p.purl) sp.externalRefs = [{ referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: p.purl }];
  return sp;
}

/** One SPDX expression for all of a package's licenses; unknown texts become LicenseRefs. */
function declared(raw: string[], extracted: Map<string, string>): string {
  const parts = raw
    .filter((s) => s.trim() !== "")
    .map((s) => {
      const k = classifyLicense(s);
      if (k.kind === "id") return k.id;
      if (k.kind === "expression") return raw.length > 1 ? `(${k.expression})` : k.expression;
      const ref = licenseRef(k.name);
      extracted.set(ref, k.name);
      return ref;
    });
  if (parts.length === 0) return NOASSERTION;
  return parts.join(" AND ");
}
