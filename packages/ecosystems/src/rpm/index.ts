import { LookoutError } from "@lookout/domain";
import type { FileCataloger } from "../types.js";
import { TEXT_DB_MAX_BYTES } from "../types.js";
import { parseRpmManifest, RPM_MANIFEST_PATH } from "./parse-manifest.js";
import { openRandomAccess } from "./random-access.js";
import { readRpmDb } from "./read-db.js";

const PATHS = new Set(
  ["/var/lib/rpm/", "/usr/lib/sysimage/rpm/"].flatMap((dir) => ["rpmdb.sqlite", "Packages", "Packages.db"].map((f) => dir + f)),
);

/**
 * rpm databases, read in TypeScript with no rpm binary: sqlite (Fedora, RHEL 9+, Mariner),
 * Berkeley DB hash (RHEL/CentOS 7-8) and NDB (SUSE). Classic locations are /var/lib/rpm and
 * /usr/lib/sysimage/rpm. The backend is picked from the file's magic, not its name. Also the
 * text package list of Mariner/Azure Linux distroless images (they ship no rpmdb).
 */
export const rpmCataloger: FileCataloger = {
  name: "rpm",
  version: 1,
  match: { paths: [...PATHS, RPM_MANIFEST_PATH] },
  wants: (path) => PATHS.has(path) || path === RPM_MANIFEST_PATH,
  async parse(file, ctx) {
    if (file.path === RPM_MANIFEST_PATH) {
      const buf = await file.read(TEXT_DB_MAX_BYTES);
      if (buf.includes(0)) throw new LookoutError("LKT_ERR_PACKAGE_DB_INVALID", `rpm: ${file.path} is binary, not a manifest`);
      return parseRpmManifest(buf.toString("utf8"), file.path, (line, why) => ctx.unknown(file.path, `line ${line}: ${why}`));
    }
    const ra = await openRandomAccess(await file.hostPath());
    try {
      return await readRpmDb(ra, file.path, ctx);
    } finally {
      await ra.close();
    }
  },
};
