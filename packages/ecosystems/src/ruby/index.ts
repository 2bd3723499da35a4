import { LookoutError } from "@lookout/domain";
import type { FileCataloger } from "../types.js";
import { parseGemfileLock } from "./parse-gemfile-lock.js";
import { parseGemspec } from "./parse-gemspec.js";

/** Installed gem specs (including Ruby's default gems) and bundler lockfiles. */
const GEMSPEC = /\/specifications\/(?:default\/)?[^/]+\.gemspec$/;

function parserFor(path: string) {
  if (GEMSPEC.test(path)) return parseGemspec;
  if (path.endsWith("/Gemfile.lock") || path.endsWith("/gems.locked")) return parseGemfileLock;
  return undefined;
}

/**
 * RubyGems: installed `specifications/*.gemspec` (read as text, never evaluated) and
 * Gemfile.lock (packages carry `meta.source = "lockfile"`, `meta.platform` when native).
 */
export const rubyCataloger = {
  name: "rubygems",
  version: 1,
  match: { extensions: ["gemspec"], basenames: ["Gemfile.lock", "gems.locked"] },
  wants: (path) => parserFor(path) !== undefined,
  async parse(file) {
    const parser = parserFor(file.path);
    if (!parser) throw new LookoutError("LKT_ERR_INTERNAL", `ruby: no parser for ${file.path}`);
    return parser(file);
  },
} satisfies FileCataloger;
