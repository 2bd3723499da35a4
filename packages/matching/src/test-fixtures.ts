// Test-only helpers (imported by *.test.ts): read the real package DBs and advisories in testdata/.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseOsvJson, type Advisory } from "@lookout/advisories";
import type { Package } from "@lookout/domain";
import type { AdvisoryLookup } from "./target.js";
import { normalizePackageName } from "./names.js";

const TD = join(import.meta.dirname, "../testdata");

export function advisory(file: string): Advisory {
  return parseOsvJson(readFileSync(join(TD, "osv", file), "utf8"));
}

/** In-memory stand-in for the DB prefilter: (base ecosystem, normalised name) → advisories. */
export function lookupOf(advisories: Advisory[]): AdvisoryLookup & { calls: [string, string][] } {
  const index = new Map<string, Advisory[]>();
  for (const a of advisories) {
    for (const aff of a.affected) {
      const k = `${aff.ecosystem}\u0000${normalizePackageName(aff.ecosystem, aff.name)}`;
      const list = index.get(k) ?? [];
      if (!list.includes(a)) list.push(a);
      index.set(k, list);
    }
  }
  const calls: [string, string][] = [];
  const fn = (ecosystem: string, name: string): Advisory[] => {
    calls.push([ecosystem, name]);
    return index.get(`${ecosystem}\u0000${name}`) ?? [];
  };
  return Object.assign(fn, { calls });
}

/** Minimal dpkg status reader (Package / Version / Source "name (version)"), installed stanzas only. */
export function dpkgPackages(file: string, ecosystem: string): Package[] {
  const text = readFileSync(join(TD, "package-db", file), "utf8");
  const out: Package[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (k: string): string | undefined => new RegExp(`^${k}: (.*)$`, "m").exec(stanza)?.[1]?.trim();
    const name = field("Package");
    const version = field("Version");
    if (!name || !version || !(field("Status") ?? "install ok installed").endsWith(" installed")) continue;
    const p: Package = { type: "dpkg", name, version, ecosystem, purl: `pkg:deb/${ecosystem.toLowerCase()}/${name}@${version}`, path: "/var/lib/dpkg/status" };
    const src = /^([^\s(]+)(?:\s+\(([^)]+)\))?$/.exec(field("Source") ?? "");
    if (src?.[1]) p.sourceName = src[1];
    if (src?.[2]) p.sourceVersion = src[2];
    out.push(p);
  }
  return out;
}

/** Minimal apk installed-DB reader (P: / V: / o:). */
export function apkPackages(file: string): Package[] {
  const text = readFileSync(join(TD, "package-db", file), "utf8");
  const out: Package[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (k: string): string | undefined => new RegExp(`^${k}:(.*)$`, "m").exec(stanza)?.[1]?.trim();
    const name = field("P");
    const version = field("V");
    if (!name || !version) continue;
    const p: Package = { type: "apk", name, version, ecosystem: "Alpine", purl: `pkg:apk/alpine/${name}@${version}`, path: "/lib/apk/db/installed" };
    const origin = field("o");
    if (origin) p.sourceName = origin;
    out.push(p);
  }
  return out;
}

export function pkg(p: Partial<Package> & Pick<Package, "name" | "version" | "ecosystem">): Package {
  return { type: "test", purl: `pkg:generic/${p.name}@${p.version}`, path: "/test", ...p };
}
