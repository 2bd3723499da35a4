import { LookoutError } from "@lookout/domain";
import type { FileCataloger } from "../types.js";
import { PYTHON_MATCH, pythonParserFor } from "./catalog.js";

/**
 * Python: installed distributions (`*.dist-info/METADATA`, `*.egg-info/PKG-INFO`, single-file
 * `*.egg-info`) in site-/dist-packages; poetry.lock, Pipfile.lock and exact pins in
 * requirements files (those carry `meta.source` "lockfile" / "requirements").
 */
export const pythonCataloger = {
  name: "python",
  version: 1,
  match: PYTHON_MATCH,
  wants: (path) => pythonParserFor(path) !== undefined,
  async parse(file) {
    const parser = pythonParserFor(file.path);
    if (!parser) throw new LookoutError("LKT_ERR_INTERNAL", `python: no parser for ${file.path}`);
    return parser(file);
  },
} satisfies FileCataloger;
