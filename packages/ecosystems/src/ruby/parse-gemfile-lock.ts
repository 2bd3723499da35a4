import { LookoutError } from "@lookout/domain";
import type { LayerFile, Package } from "../types.js";
import { GEM_NAME, GEM_VERSION, gemPackage } from "./package.js";

export const GEMFILE_LOCK_MAX_BYTES = 16 * 1024 * 1024;

/** A spec line: four spaces, name, version with an optional platform ("1.13.6-x86_64-linux"). */
const SPEC = /^ {4}([^\s(]+) \(([^)-]+)(?:-([^)]+))?\)$/;

/**
 * Gemfile.lock: the `specs:` of the GEM and GIT sections (PATH gems are local code).
 * Dependencies of a spec are indented six spaces and ignored. Deduplicated by name@version.
 */
export async function parseGemfileLock(file: LayerFile): Promise<Package[]> {
  const buf = await file.read(GEMFILE_LOCK_MAX_BYTES);
  if (buf.includes(0)) throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `ruby: ${file.path} is binary, not a Gemfile.lock`);
  const out = new Map<string, Package>();
  let section = "";
  for (const line of buf.toString("utf8").split(/\r?\n/)) {
    if (/^[A-Z]/.test(line)) {
      section = line.trim();
      continue;
    }
    if (section !== "GEM" && section !== "GIT") continue;
    const m = SPEC.exec(line);
    if (!m?.[1] || !m[2] || !GEM_NAME.test(m[1]) || !GEM_VERSION.test(m[2])) continue;
    const meta: Record<string, string> = { source: "lockfile" };
    if (m[3]) meta.platform = m[3];
    out.set(`${m[1]}@${m[2]}`, gemPackage(m[1], m[2], file.path, { meta }));
  }
  return [...out.values()];
}
