import { describeError } from "@lookout/domain";
import type { CatalogContext, Package } from "../types.js";
import { osPurl } from "../purl/os.js";
import { bdbBlobs, isBdbHash } from "./bdb.js";
import { parseRpmHeader, type RpmHeader } from "./header.js";
import { isNdb, ndbBlobs } from "./ndb.js";
import type { RandomAccess } from "./random-access.js";
import { truncated } from "./random-access.js";
import { isSqlite, sqliteColumn } from "./sqlite.js";

/** More rows than any real image has; stops a crafted database from looping forever. */
const MAX_PACKAGES = 200_000;

/** Picks the backend from the file's magic, not its name (RHEL 8 may keep a sqlite DB as "Packages"). */
async function* headerBlobs(ra: RandomAccess): AsyncGenerator<Buffer> {
  const head = await ra.read(0, Math.min(512, ra.size));
  if (isSqlite(head)) {
    for await (const v of sqliteColumn(ra, "Packages", 1)) {
      if (!Buffer.isBuffer(v)) throw truncated("sqlite: Packages.blob is not a blob");
      yield v;
    }
  } else if (isNdb(head)) {
    yield* ndbBlobs(ra);
  } else if (isBdbHash(head)) {
    yield* bdbBlobs(ra);
  } else {
    throw truncated("not an rpm database (no sqlite, ndb or Berkeley DB hash magic)");
  }
}

/**
 * Reads every package header of an rpm database. A header that fails to parse is recorded as an
 * unknown and skipped; a broken database structure throws (the walker records the file).
 * gpg-pubkey pseudo-packages (imported signing keys) are not software and are left out.
 */
export async function readRpmDb(ra: RandomAccess, path: string, ctx: CatalogContext): Promise<Package[]> {
  const out: Package[] = [];
  let n = 0;
  for await (const blob of headerBlobs(ra)) {
    if (++n > MAX_PACKAGES) throw truncated(`more than ${MAX_PACKAGES} headers`);
    let h: RpmHeader;
    try {
      h = parseRpmHeader(blob);
    } catch (e) {
      ctx.unknown(path, `rpm header #${n}: ${describeError(e)}`);
      continue;
    }
    if (h.name === "gpg-pubkey") continue;
    out.push(toPackage(h, path));
  }
  return out;
}

/** Package.version is "[epoch:]version-release", as rpm compares it; purl keeps epoch apart. */
export function toPackage(h: RpmHeader, path: string): Package {
  const ep = h.epoch ? `${h.epoch}:` : "";
  const version = `${ep}${h.version}-${h.release}`;
  const pkg: Package = { type: "rpm", name: h.name, version, ecosystem: "", purl: "", release: h.release, path };
  if (h.epoch !== undefined) pkg.epoch = h.epoch;
  if (h.arch) pkg.arch = h.arch;
  const src = h.sourceRpm ? splitSourceRpm(h.sourceRpm) : undefined;
  if (src) {
    pkg.sourceName = src.name;
    pkg.sourceVersion = `${ep}${src.version}-${src.release}`;
  }
  if (h.license) pkg.licenses = [h.license];
  const meta: Record<string, string> = {};
  if (h.sourceRpm) meta.sourceRpm = h.sourceRpm;
  if (h.vendor) meta.vendor = h.vendor;
  if (h.modularityLabel) meta.modularityLabel = h.modularityLabel;
  if (Object.keys(meta).length > 0) pkg.meta = meta;
  pkg.purl = osPurl(pkg) ?? "";
  return pkg;
}

/** "util-linux-2.32.1-42.el8_8.src.rpm" → util-linux / 2.32.1 / 42.el8_8. */
export function splitSourceRpm(s: string): { name: string; version: string; release: string } | undefined {
  const base = s.replace(/\.(no)?src\.rpm$/, "");
  const r = base.lastIndexOf("-");
  const v = r > 0 ? base.lastIndexOf("-", r - 1) : -1;
  if (v <= 0) return undefined;
  return { name: base.slice(0, v), version: base.slice(v + 1, r), release: base.slice(r + 1) };
}
