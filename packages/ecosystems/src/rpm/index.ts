import { LookoutError } from "@lookout/domain";
import type { FileCataloger } from "../types.js";

/** rpm databases: sqlite (Fedora, RHEL 9+), Berkeley DB hash (RHEL 7-8), NDB (SUSE). */
export const rpmCataloger = {
  name: "rpm",
  version: 1,
  wants: (path) => path.endsWith("/rpm/rpmdb.sqlite") || path.endsWith("/rpm/Packages") || path.endsWith("/rpm/Packages.db"),
  async parse(file) {
    throw new LookoutError("LKT_ERR_ECOSYSTEM_UNSUPPORTED", `rpm: ${file.path} not readable yet`);
  },
} satisfies FileCataloger;
