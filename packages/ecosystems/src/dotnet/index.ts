import { LookoutError } from "@lookout/domain";
import type { FileCataloger } from "../types.js";
import { parseDepsJson, parsePackagesLock } from "./parse-dotnet.js";

function parserFor(path: string) {
  if (path.endsWith(".deps.json")) return parseDepsJson;
  if (path.endsWith("/packages.lock.json")) return parsePackagesLock;
  return undefined;
}

/** .NET: `*.deps.json` of published apps and NuGet `packages.lock.json`. */
export const dotnetCataloger = {
  name: "dotnet",
  version: 1,
  // "*.deps.json": keyed by extension, then wants tests the full suffix.
  match: { extensions: ["json"] },
  wants: (path) => parserFor(path) !== undefined,
  async parse(file) {
    const parser = parserFor(file.path);
    if (!parser) throw new LookoutError("LKT_ERR_INTERNAL", `dotnet: no parser for ${file.path}`);
    return parser(file);
  },
} satisfies FileCataloger;
