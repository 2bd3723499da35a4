import { LookoutError } from "@lookout/domain";
import type { FileCataloger } from "../types.js";
import { TEXT_DB_MAX_BYTES } from "../types.js";
import { parseApkInstalled } from "./parse-installed.js";

/** Alpine keeps it in /lib; Wolfi/Chainguard (usr-merged) in /usr/lib. */
const PATHS = new Set(["/lib/apk/db/installed", "/usr/lib/apk/db/installed"]);

/** apk installed database (Alpine, Wolfi, Chainguard). */
export const apkCataloger: FileCataloger = {
  name: "apk",
  version: 1,
  match: { paths: [...PATHS] },
  wants: (path) => PATHS.has(path),
  async parse(file) {
    const buf = await file.read(TEXT_DB_MAX_BYTES);
    if (buf.includes(0)) throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `apk: ${file.path} is binary, not an installed database`);
    return parseApkInstalled(buf.toString("utf8"), file.path);
  },
};
