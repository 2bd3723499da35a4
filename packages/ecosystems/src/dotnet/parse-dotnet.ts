import { LookoutError } from "@lookout/domain";
import { buildPurl } from "../purl/purl.js";
import type { LayerFile, Package } from "../types.js";

export const DOTNET_CATALOGER = "dotnet";
export const DOTNET_MAX_BYTES = 32 * 1024 * 1024;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

async function readObject(file: LayerFile): Promise<Record<string, unknown>> {
  const buf = await file.read(DOTNET_MAX_BYTES);
  let doc: unknown;
  try {
    // deps.json files may start with a UTF-8 BOM.
    doc = JSON.parse(buf.toString("utf8").replace(/^\uFEFF/, ""));
  } catch (cause) {
    throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `dotnet: ${file.path} is not valid JSON`, { cause });
  }
  if (!isRecord(doc)) throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `dotnet: ${file.path} is not a JSON object`);
  return doc;
}

function nugetPackage(name: string, version: string, path: string, meta: Record<string, string>): Package {
  return { type: DOTNET_CATALOGER, name, version, ecosystem: "NuGet", purl: buildPurl({ type: "nuget", name, version }), path, meta };
}

const NAME = /^[A-Za-z0-9_.-]+$/;
const VERSION = /^\d+(\.\d+){1,3}(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const ASSETS = ["runtime", "runtimeTargets", "native"];

/**
 * `*.deps.json`: `libraries` of type "package" (NuGet) and "runtimepack" (the .NET runtime of a
 * self-contained app, named without the "runtimepack." prefix, as GHSA names it). A library
 * whose target entries exist but ship no runtime/native assets (reference and meta-packages)
 * is not loaded by the app and is skipped, as trivy does; "project" libraries are local code.
 */
export async function parseDepsJson(file: LayerFile): Promise<Package[]> {
  const doc = await readObject(file);
  const libraries = isRecord(doc.libraries) ? doc.libraries : {};
  const targetEntries = new Map<string, Record<string, unknown>[]>();
  for (const target of Object.values(isRecord(doc.targets) ? doc.targets : {})) {
    if (!isRecord(target)) continue;
    for (const [key, entry] of Object.entries(target)) {
      if (isRecord(entry)) targetEntries.set(key, [...(targetEntries.get(key) ?? []), entry]);
    }
  }
  const out: Package[] = [];
  for (const [key, lib] of Object.entries(libraries)) {
    if (!isRecord(lib) || (lib.type !== "package" && lib.type !== "runtimepack")) continue;
    const slash = key.lastIndexOf("/");
    const name = key.slice(0, slash).replace(/^runtimepack\./, "");
    const version = key.slice(slash + 1);
    if (slash <= 0 || !NAME.test(name) || !VERSION.test(version)) continue;
    const entries = targetEntries.get(key);
    const loaded = !entries || entries.some((e) => ASSETS.some((a) => isRecord(e[a]) && Object.keys(e[a]).length > 0));
    if (loaded) out.push(nugetPackage(name, version, file.path, lib.type === "runtimepack" ? { runtimepack: "true" } : {}));
  }
  return out;
}

/** NuGet `packages.lock.json`: resolved Direct/Transitive packages of every target framework. */
export async function parsePackagesLock(file: LayerFile): Promise<Package[]> {
  const doc = await readObject(file);
  const out = new Map<string, Package>();
  for (const deps of Object.values(isRecord(doc.dependencies) ? doc.dependencies : {})) {
    if (!isRecord(deps)) continue;
    for (const [name, dep] of Object.entries(deps)) {
      if (!isRecord(dep) || dep.type === "Project" || typeof dep.resolved !== "string") continue;
      if (!NAME.test(name) || !VERSION.test(dep.resolved)) continue;
      out.set(`${name}@${dep.resolved}`, nugetPackage(name, dep.resolved, file.path, { source: "lockfile" }));
    }
  }
  return [...out.values()];
}
