import { LookoutError } from "@lookout/domain";
import type { LayerFile, Package } from "../types.js";
import { GEM_NAME, GEM_VERSION, gemPackage } from "./package.js";

export const GEMSPEC_MAX_BYTES = 1024 * 1024;

/** `s.name = "x".freeze` and friends: the attribute and its right-hand side. */
const ASSIGN = /^\s*\w+\.(name|version|licenses?)\s*=\s*(.+?)\s*$/;
const QUOTED = /"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'/g;

function quoted(rhs: string): string[] {
  return [...rhs.matchAll(QUOTED)].map((m) => m[1] ?? m[2] ?? "");
}

/**
 * An installed `specifications/*.gemspec`, which RubyGems writes as Ruby. It is read as text,
 * never evaluated: only the `name`, `version` and `license(s)` assignments are used.
 */
export async function parseGemspec(file: LayerFile): Promise<Package[]> {
  const buf = await file.read(GEMSPEC_MAX_BYTES);
  let name: string | undefined;
  let version: string | undefined;
  const licenses: string[] = [];
  for (const line of buf.toString("utf8").split(/\r?\n/)) {
    const m = ASSIGN.exec(line);
    if (!m?.[1] || !m[2]) continue;
    const values = quoted(m[2]);
    if (m[1] === "name") name ??= values[0];
    else if (m[1] === "version") version ??= values[0];
    else licenses.push(...values.filter((l) => l !== ""));
  }
  if (!name || !version || !GEM_NAME.test(name) || !GEM_VERSION.test(version)) {
    throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `ruby: ${file.path} has no name/version assignment`);
  }
  return [gemPackage(name, version, file.path, { licenses: [...new Set(licenses)] })];
}
