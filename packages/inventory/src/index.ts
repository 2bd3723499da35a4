export * from "./build-inventory.js";
export * from "./cache.js";
export * from "./layer-result.js";
export { LayerCatalog, MAX_DISTRO_FILE_BYTES } from "./catalog-layer.js";
export { mergeLayers, type MergedLayers } from "./merge.js";
