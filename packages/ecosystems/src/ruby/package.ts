import { buildPurl } from "../purl/purl.js";
import type { Package } from "../types.js";

export const RUBY_CATALOGER = "rubygems";

export function gemPackage(name: string, version: string, path: string, extra: { licenses?: string[]; meta?: Record<string, string> } = {}): Package {
  const platform = extra.meta?.platform;
  const p: Package = {
    type: RUBY_CATALOGER,
    name,
    version,
    ecosystem: "RubyGems",
    purl: buildPurl({ type: "gem", name, version, qualifiers: { platform } }),
    path,
  };
  if (extra.licenses && extra.licenses.length > 0) p.licenses = extra.licenses;
  if (extra.meta) p.meta = extra.meta;
  return p;
}

export const GEM_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const GEM_VERSION = /^[0-9][0-9A-Za-z.]*$/;
