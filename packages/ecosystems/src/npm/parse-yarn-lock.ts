import { LookoutError } from "@lookout/domain";
import type { LayerFile, Package } from "../types.js";
import { LOCKFILE_MAX_BYTES } from "./parse-package-lock.js";
import { isNpmName, isNpmVersion, npmPackage } from "./package.js";

/** Local code, not a registry package: nothing to match. */
const LOCAL_PROTOCOL = /^(workspace|link|portal|file|exec):/;

/**
 * yarn.lock, classic (v1, its own syntax) and berry (v2+, YAML). Both are blocks opened by an
 * unindented line of comma-separated descriptors ending in ":" with an indented `version`
 * line, so one line scanner reads both without a YAML parse of a possibly huge file.
 */
export async function parseYarnLock(file: LayerFile): Promise<Package[]> {
  const text = (await file.read(LOCKFILE_MAX_BYTES)).toString("utf8");
  if (text.includes("\u0000")) throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `npm: ${file.path} is binary, not a yarn.lock`);
  const seen = new Map<string, Package>();
  let block: { name: string; version?: string; resolution?: string; local: boolean } | undefined;
  const flush = (): void => {
    if (!block || block.local) return;
    const name = block.resolution ? (splitDescriptor(block.resolution)?.name ?? block.name) : block.name;
    const version = block.version;
    if (!isNpmName(name) || !isNpmVersion(version)) return;
    seen.set(`${name}@${version}`, npmPackage(name, version, file.path, { meta: { source: "lockfile" } }));
  };
  for (const line of text.split(/\r?\n/)) {
    if (line === "" || line.startsWith("#")) continue;
    if (!/^\s/.test(line)) {
      flush();
      block = line.endsWith(":") ? openBlock(line.slice(0, -1)) : undefined;
      continue;
    }
    if (!block) continue;
    const m = /^ {2}(version|resolution):? +"?([^"]*)"?$/.exec(line);
    if (m?.[1] === "version") block.version = m[2];
    else if (m?.[1] === "resolution") block.resolution = m[2];
  }
  flush();
  return [...seen.values()];
}

function openBlock(header: string): { name: string; local: boolean } | undefined {
  const first = header.split(",")[0]?.trim().replace(/^"|"$/g, "");
  if (!first || first === "__metadata") return undefined;
  const d = splitDescriptor(first);
  if (!d) return undefined;
  // An alias ("name@npm:real@^1") installs the real package.
  const alias = /^npm:((?:@[^/]+\/)?[^@]+)@/.exec(d.range);
  return { name: alias?.[1] ?? d.name, local: LOCAL_PROTOCOL.test(d.range) };
}

/** "name@range" with an optional "@scope/" prefix. */
function splitDescriptor(s: string): { name: string; range: string } | undefined {
  const at = s.indexOf("@", 1);
  return at < 0 ? undefined : { name: s.slice(0, at), range: s.slice(at + 1) };
}
