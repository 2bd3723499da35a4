/**
 * Types shared by every cataloger folder. The seam itself (FileCataloger, LayerFile,
 * CatalogContext) lives in @lookout/domain; this re-exports it so a cataloger imports one place.
 */
export type { CatalogContext, FileCataloger, FileInfo, Inventory, LayerFile } from "@lookout/domain";
export type { Distro, Package } from "@lookout/domain";

/** Default cap for a text package database kept by the layer walker (dpkg status, apk installed). */
export const TEXT_DB_MAX_BYTES = 64 * 1024 * 1024;
