import { LookoutError } from "@lookout/domain";
import type { FileCataloger } from "../types.js";
import { NPM_FILE_NAMES, npmParserFor } from "./catalog.js";

export { coalesceNpm } from "./coalesce.js";

/**
 * npm: installed packages (`node_modules/**\/package.json`) and lockfiles (package-lock.json
 * v1-v3, npm-shrinkwrap.json, pnpm-lock.yaml v5/v6/v9, yarn.lock classic and berry).
 * Lockfile packages carry `meta.source = "lockfile"`; `coalesceNpm` drops them at merge time
 * where an installed tree exists next to the lockfile.
 */
export const npmCataloger = {
  name: "npm",
  version: 1,
  match: { basenames: NPM_FILE_NAMES },
  wants: (path) => npmParserFor(path) !== undefined,
  async parse(file) {
    const parser = npmParserFor(file.path);
    if (!parser) throw new LookoutError("LKT_ERR_INTERNAL", `npm: no parser for ${file.path}`);
    return parser(file);
  },
} satisfies FileCataloger;
