import { LookoutError } from "@lookout/domain";
import type { FileCataloger } from "../types.js";
import { TEXT_DB_MAX_BYTES } from "../types.js";
import { parseCopyrightLicenses } from "./parse-copyright.js";
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
    return parseDpkgStatus(buf, file.path, { statusOptional: file.path.startsWith(STATUS_D) });
  },
};

const DOC = "/usr/share/doc/";
const COPYRIGHT = "/copyright";
/** Real copyright files run to 2 MiB (boost); bigger ones are not worth keeping. */
export const COPYRIGHT_MAX_BYTES = 4 * 1024 * 1024;
/** Type of the license notes the copyright cataloger emits; finalizeInventory folds them in. */
export const DPKG_LICENSE_NOTE = "dpkg-copyright";

/**
 * dpkg licenses "where cheap": `/usr/share/doc/<package>/copyright` when machine-readable
 * (DEP-5). The file may sit in another layer than the status file (apt-get install in a later
 * layer rewrites status, not the base's doc files), so this cataloger does not touch packages:
 * it emits one note `{ type: DPKG_LICENSE_NOTE, name: <package>, licenses }` per file, merged
 * across layers like any file result (whiteouts delete it), and finalizeInventory sets the
 * licenses of the dpkg package of that name and drops the notes.
 */
export const dpkgCopyrightCataloger: FileCataloger = {
  name: DPKG_LICENSE_NOTE,
  version: 1,
  match: { basenames: ["copyright"] },
  wants(path, info) {
    if (!path.startsWith(DOC) || !path.endsWith(COPYRIGHT) || info.size > COPYRIGHT_MAX_BYTES) return false;
    const pkg = path.slice(DOC.length, -COPYRIGHT.length);
    return pkg !== "" && !pkg.includes("/");
  },
  async parse(file) {
    const buf = await file.read(COPYRIGHT_MAX_BYTES);
    if (buf.includes(0)) throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `dpkg: ${file.path} is binary, not a copyright file`);
    const licenses = parseCopyrightLicenses(buf.toString("utf8"));
    if (licenses.length === 0) return [];
    const name = file.path.slice(DOC.length, -COPYRIGHT.length);
    return [{ type: DPKG_LICENSE_NOTE, name, version: "", ecosystem: "", purl: "", path: file.path, licenses }];
  },
};
