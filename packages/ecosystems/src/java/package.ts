import { buildPurl } from "../purl/purl.js";
import type { Package } from "../types.js";
import { parseManifest, parseProperties } from "./parse-metadata.js";

export const JAVA_CATALOGER = "java-archive";

export function mavenPackage(groupId: string | undefined, artifactId: string, version: string, path: string, meta: Record<string, string>): Package {
  return {
    type: JAVA_CATALOGER,
    // OSV's Maven names are "groupId:artifactId"; without a group id only the artifact is known.
    name: groupId ? `${groupId}:${artifactId}` : artifactId,
    version,
    ecosystem: "Maven",
    purl: buildPurl({ type: "maven", namespace: groupId, name: artifactId, version }),
    path,
    meta,
  };
}

const PLACEHOLDER = /\$\{/;

/** One pom.properties → coordinates, or undefined when a field is missing or unresolved. */
export function fromPomProperties(text: string): { groupId: string; artifactId: string; version: string } | undefined {
  const p = parseProperties(text);
  const groupId = p.get("groupId");
  const artifactId = p.get("artifactId");
  const version = p.get("version");
  if (!groupId || !artifactId || !version || [groupId, artifactId, version].some((v) => PLACEHOLDER.test(v))) return undefined;
  return { groupId, artifactId, version };
}

/** "commons-lang3-3.11.jar" → {artifactId: "commons-lang3", version: "3.11"}. */
export function fromFileName(fileName: string): { artifactId: string; version?: string } {
  const stem = fileName.replace(/^.*\//, "").replace(/\.[a-z]+$/i, "");
  const m = /^(.+?)-(\d[\w.+-]*)$/.exec(stem);
  return m?.[1] && m[2] ? { artifactId: m[1], version: m[2] } : { artifactId: stem };
}

/**
 * Fallback when a jar has no pom.properties: version from Implementation-Version, the file
 * name, then Bundle-/Specification-Version (OSGi versions are padded: "27.0.0.jre"); artifact
 * from the file name; group from Implementation-Vendor-Id, else Bundle-SymbolicName or
 * Automatic-Module-Name minus a last segment the artifact id ends with
 * ("ch.qos.logback.classic" + logback-classic → "ch.qos.logback"). A guess: pom.properties wins.
 */
export function fromManifest(text: string, fileName: string): { groupId?: string; artifactId: string; version: string } | undefined {
  const m = parseManifest(text);
  const file = fromFileName(fileName);
  const version = m.get("Implementation-Version") || file.version || m.get("Bundle-Version") || m.get("Specification-Version");
  const artifactId = file.artifactId || m.get("Implementation-Title");
  if (!version || !artifactId || PLACEHOLDER.test(version)) return undefined;
  const dotted = (c: string | undefined): c is string => c !== undefined && /^[A-Za-z_][\w-]*(\.[\w-]+)+$/.test(c);
  const vendorId = m.get("Implementation-Vendor-Id")?.trim();
  if (dotted(vendorId)) return { groupId: vendorId, artifactId, version };
  for (const raw of [m.get("Bundle-SymbolicName")?.split(";")[0], m.get("Automatic-Module-Name")]) {
    const c = raw?.trim();
    if (!dotted(c)) continue;
    const dot = c.lastIndexOf(".");
    const last = c.slice(dot + 1);
    const prefix = c.slice(0, dot);
    const strip = (artifactId === last || artifactId.endsWith(`-${last}`)) && prefix.includes(".");
    return { groupId: strip ? prefix : c, artifactId, version };
  }
  return { artifactId, version };
}
