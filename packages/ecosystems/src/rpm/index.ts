import type { FileCataloger } from "../types.js";
import { openRandomAccess } from "./random-access.js";
import { readRpmDb } from "./read-db.js";

const PATHS = new Set(
  ["/var/lib/rpm/", "/usr/lib/sysimage/rpm/"].flatMap((dir) => ["rpmdb.sqlite", "Packages", "Packages.db"].map((f) => dir + f)),
);

/**
 * rpm databases, read in TypeScript with no rpm binary: sqlite (Fedora, RHEL 9+, Mariner),
 * Berkeley DB hash (RHEL/CentOS 7-8) and NDB (SUSE). Classic locations are /var/lib/rpm and
 * /usr/lib/sysimage/rpm. The backend is picked from the file's magic, not its name.
 */
export const rpmCataloger: FileCataloger = {
  name: "rpm",
  version: 1,
  wants: (path) => PATHS.has(path),
  async parse(file, ctx) {
    const ra = await openRandomAccess(file.hostPath);
    try {
      return await readRpmDb(ra, file.path, ctx);
    } finally {
      await ra.close();
    }
  },
};
