import { LookoutError } from "@lookout/domain";
import type { LayerFile, Package } from "../types.js";
import { isNpmName, isRecord, npmLicenses, npmPackage, readJson } from "./package.js";

/** Installed package.json files are small; a bigger one is hostile or broken (recorded as unknown). */
export const PACKAGE_JSON_MAX_BYTES = 4 * 1024 * 1024;

/**
 * One installed package: `node_modules/[@scope/]name/package.json`. Returns [] for files that
 * describe no installable package (no name or no version: private workspace roots, test
 * fixtures shipped inside packages).
 */
export async function parsePackageJson(file: LayerFile): Promise<Package[]> {
  const doc = await readJson(file, PACKAGE_JSON_MAX_BYTES, "npm");
  if (!isRecord(doc)) throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `npm: ${file.path} is not a JSON object`);
  const { name, version } = doc;
  if (!isNpmName(name) || typeof version !== "string" || version.trim() === "") return [];
  return [npmPackage(name, version.trim(), file.path, { licenses: npmLicenses(doc) })];
}
