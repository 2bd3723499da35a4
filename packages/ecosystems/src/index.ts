/**
 * @lookout/ecosystems: per-file catalogers (one folder per ecosystem, listed in registry.ts),
 * distribution detection, the finalize step that stamps OS packages with their distro
 * ecosystem, and the package-url builder.
 */
export { CATALOGERS } from "./registry.js";
export { buildPurl, purlEncode, type PurlParts } from "./purl/purl.js";
export { osPurl, distroQualifier } from "./purl/os.js";
export { TEXT_DB_MAX_BYTES } from "./types.js";
