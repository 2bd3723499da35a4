/**
 * @lookout/ecosystems: per-file catalogers (one folder per ecosystem, listed in registry.ts),
 * distribution detection, the finalize step that stamps OS packages with their distro
 * ecosystem, and the package-url builder.
 */
export { CATALOGERS } from "./registry.js";
export { buildPurl, purlEncode, type PurlParts } from "./purl/purl.js";
export { osPurl, distroQualifier } from "./purl/os.js";
export { TEXT_DB_MAX_BYTES } from "./types.js";
export { detectDistro, DISTRO_FILES } from "./os-release/detect.js";
export { parseOsRelease, type OsRelease } from "./os-release/parse-os-release.js";
export { osEcosystem, packageTypeFits } from "./os-release/ecosystem.js";
export { finalizeInventory } from "./finalize.js";
export { coalesceNpm } from "./npm/index.js";
