import { LookoutError } from "@lookout/domain";
import type { Entry, ZipFile } from "yauzl";
import type { CatalogContext, Package } from "../types.js";
import { fromManifest, fromPomProperties, mavenPackage } from "./package.js";
import { type ArchiveLimits, Budget, limitError, openZip, readMember } from "./zip.js";

const POM_PROPERTIES = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;
const MANIFEST = "META-INF/MANIFEST.MF";
const NESTED = /\.(?:jar|war|ear|rar|sar|jpi|hpi)$/i;

interface Ctx {
  imagePath: string;
  ctx: CatalogContext;
  limits: ArchiveLimits;
  budget: Budget;
}

/**
 * All Maven packages of one archive on disk: every pom.properties (shaded jars carry several),
 * the MANIFEST.MF fallback when there is none, and nested archives (WEB-INF/lib, BOOT-INF/lib,
 * EAR modules) recursed up to `limits.maxDepth`. A broken or over-cap nested archive is
 * recorded with `ctx.unknown` ("outer.jar!/inner.jar") and skipped; a broken top-level archive
 * throws (the walker records it).
 */
export async function catalogArchive(hostPath: string, imagePath: string, ctx: CatalogContext, limits: ArchiveLimits): Promise<Package[]> {
  const zip = await openZip({ hostPath }, imagePath, limits);
  return walk(zip, imagePath, [], { imagePath, ctx, limits, budget: new Budget(limits) });
}

async function walk(zip: ZipFile, label: string, chain: string[], c: Ctx): Promise<Package[]> {
  const poms: Entry[] = [];
  const nested: Entry[] = [];
  let manifest: Entry | undefined;
  try {
    for await (const entry of zip.eachEntry()) {
      const name = entry.fileName;
      if (POM_PROPERTIES.test(name)) poms.push(entry);
      else if (name === MANIFEST) manifest = entry;
      else if (NESTED.test(name) && !name.endsWith("/")) nested.push(entry);
    }
    const meta: Record<string, string> = chain.length > 0 ? { archivePath: chain.join("!/") } : {};
    const out: Package[] = [];
    for (const e of poms) {
      const coords = fromPomProperties((await readMember(zip, e, c.limits.maxMetadataBytes, c.budget, label)).toString("utf8"));
      if (coords) out.push(mavenPackage(coords.groupId, coords.artifactId, coords.version, c.imagePath, { ...meta }));
    }
    if (out.length === 0 && manifest) {
      const text = (await readMember(zip, manifest, c.limits.maxMetadataBytes, c.budget, label)).toString("utf8");
      const coords = fromManifest(text, chain.at(-1) ?? c.imagePath);
      if (coords) out.push(mavenPackage(coords.groupId, coords.artifactId, coords.version, c.imagePath, { ...meta, source: "manifest" }));
    }
    for (const e of nested) out.push(...(await nestedArchive(zip, e, label, chain, c)));
    return out;
  } catch (cause) {
    if (cause instanceof LookoutError) throw cause;
    throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `java: corrupt archive ${label}`, { cause });
  } finally {
    zip.close();
  }
}

async function nestedArchive(zip: ZipFile, entry: Entry, label: string, chain: string[], c: Ctx): Promise<Package[]> {
  const innerLabel = `${label}!/${entry.fileName}`;
  if (c.budget.exhausted) return [];
  try {
    if (chain.length + 1 > c.limits.maxDepth) throw limitError(`${innerLabel} is nested deeper than ${c.limits.maxDepth} archives`);
    const buffer = await readMember(zip, entry, c.limits.maxNestedBytes, c.budget, label);
    const inner = await openZip({ buffer }, innerLabel, c.limits);
    return await walk(inner, innerLabel, [...chain, entry.fileName], c);
  } catch (e) {
    // Once the whole file's budget is spent, record it once and keep what was found so far.
    const spent = e instanceof LookoutError && e.details?.budget === true;
    c.ctx.unknown(spent ? c.imagePath : innerLabel, e instanceof Error ? e.message : String(e));
    return [];
  }
}
