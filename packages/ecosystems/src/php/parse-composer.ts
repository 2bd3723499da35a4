import { LookoutError } from "@lookout/domain";
import { buildPurl } from "../purl/purl.js";
import type { LayerFile, Package } from "../types.js";

export const COMPOSER_CATALOGER = "php-composer";
export const COMPOSER_MAX_BYTES = 64 * 1024 * 1024;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

async function readJson(file: LayerFile): Promise<unknown> {
  const buf = await file.read(COMPOSER_MAX_BYTES);
  try {
    return JSON.parse(buf.toString("utf8")) as unknown;
  } catch (cause) {
    throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `php: ${file.path} is not valid JSON`, { cause });
  }
}

/** `license` as an array or a string ("MIT or BSD-2-Clause" splits, as trivy does). */
function licenses(v: unknown): string[] {
  const list = Array.isArray(v) ? v : typeof v === "string" ? v.split(/\s+or\s+/i) : [];
  return list.filter((l): l is string => typeof l === "string" && l.trim() !== "").map((l) => l.trim());
}

function toPackage(raw: unknown, path: string, meta: Record<string, string>): Package | undefined {
  if (!isRecord(raw)) return undefined;
  const { name, version } = raw;
  // Packagist names are "vendor/project"; versions are kept as written ("v1.27.0").
  if (typeof name !== "string" || !/^[a-z0-9_.-]+\/[a-z0-9_.-]+$/i.test(name) || typeof version !== "string" || version === "") return undefined;
  if (version.startsWith("dev-")) return undefined; // a branch, not a release
  const [vendor, project] = name.split("/") as [string, string];
  const p: Package = {
    type: COMPOSER_CATALOGER,
    name,
    version,
    ecosystem: "Packagist",
    purl: buildPurl({ type: "composer", namespace: vendor, name: project, version }),
    path,
    meta: { ...meta },
  };
  const l = licenses(raw.license);
  if (l.length > 0) p.licenses = l;
  return p;
}

/** composer.lock: `packages` and `packages-dev` (flagged `meta.dev`). */
export async function parseComposerLock(file: LayerFile): Promise<Package[]> {
  const doc = await readJson(file);
  if (!isRecord(doc)) throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `php: ${file.path} is not a composer.lock object`);
  const out: Package[] = [];
  for (const [key, meta] of [["packages", { source: "lockfile" }], ["packages-dev", { source: "lockfile", dev: "true" }]] as const) {
    const list = doc[key];
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      const p = toPackage(raw, file.path, meta);
      if (p) out.push(p);
    }
  }
  return out;
}

/**
 * vendor/composer/installed.json: Composer 1 writes an array, Composer 2 `{packages: [...],
 * "dev-package-names": [...]}`; dev packages are flagged `meta.dev`.
 */
export async function parseInstalledJson(file: LayerFile): Promise<Package[]> {
  const doc = await readJson(file);
  const list = Array.isArray(doc) ? doc : isRecord(doc) && Array.isArray(doc.packages) ? doc.packages : undefined;
  if (!list) throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `php: ${file.path} is not a Composer installed.json`);
  const devNames = new Set(isRecord(doc) && Array.isArray(doc["dev-package-names"]) ? doc["dev-package-names"] : []);
  const out: Package[] = [];
  for (const raw of list) {
    const dev = isRecord(raw) && devNames.has(raw.name);
    const p = toPackage(raw, file.path, dev ? { dev: "true" } : {});
    if (p) out.push(p);
  }
  return out;
}
