/**
 * @lookout/sbom: an image inventory as CycloneDX 1.6 JSON, SPDX 2.3 JSON or Lookout's own
 * JSON. Pure functions: no I/O; pass `timestamp` and `uuid` for byte-stable output.
 */
export { toCycloneDX, ociPurl } from "./cyclonedx.js";
export { toSPDX } from "./spdx.js";
export { toInternalJson, INTERNAL_FORMAT, INTERNAL_VERSION, type InternalSbom } from "./internal.js";
export { componentRef, spdxPackageId } from "./refs.js";
export { classifyLicense, type LicenseKind } from "./licenses.js";
export type {
  CdxRatingMethod,
  CdxSeverity,
  CdxSource,
  CdxVulnerability,
  CycloneDxOptions,
  SbomCommonOptions,
  SbomImageMeta,
  SbomTool,
} from "./types.js";
