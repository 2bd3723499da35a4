import { LookoutError } from "@lookout/domain";
import type { FileCataloger } from "../types.js";
import { TEXT_DB_MAX_BYTES } from "../types.js";
import { parseDpkgStatus } from "./parse-status.js";

const STATUS = "/var/lib/dpkg/status";
const STATUS_D = "/var/lib/dpkg/status.d/";

/**
 * dpkg database: /var/lib/dpkg/status, and the per-package files distroless images write to
 * /var/lib/dpkg/status.d/ (one stanza each, no Status field, *.md5sums companions ignored).
 */
export const dpkgCataloger: FileCataloger = {
  name: "dpkg",
  version: 1,
  match: { paths: [STATUS], prefixes: [STATUS_D] },
  wants(path) {
    if (path === STATUS) return true;
    if (!path.startsWith(STATUS_D)) return false;
    const base = path.slice(STATUS_D.length);
    return base !== "" && !base.includes("/") && !base.endsWith(".md5sums");
  },
  async parse(file) {
    const buf = await file.read(TEXT_DB_MAX_BYTES);
    if (buf.includes(0)) throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `dpkg: ${file.path} is binary, not a status file`);
    return parseDpkgStatus(buf.toString("utf8"), file.path, { statusOptional: file.path.startsWith(STATUS_D) });
  },
};

