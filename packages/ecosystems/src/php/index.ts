import { LookoutError } from "@lookout/domain";
import type { FileCataloger } from "../types.js";
import { parseComposerLock, parseInstalledJson } from "./parse-composer.js";

function parserFor(path: string) {
  if (path.endsWith("/vendor/composer/installed.json")) return parseInstalledJson;
  // A composer.lock inside vendor/ belongs to a dependency's own development.
  if (path.endsWith("/composer.lock") && !path.includes("/vendor/")) return parseComposerLock;
  return undefined;
}

/** PHP Composer: installed vendor trees and composer.lock (`meta.source = "lockfile"`). */
export const phpCataloger = {
  name: "php-composer",
  version: 1,
  match: { basenames: ["installed.json", "composer.lock"] },
  wants: (path) => parserFor(path) !== undefined,
  async parse(file) {
    const parser = parserFor(file.path);
    if (!parser) throw new LookoutError("LKT_ERR_INTERNAL", `php: no parser for ${file.path}`);
    return parser(file);
  },
} satisfies FileCataloger;
