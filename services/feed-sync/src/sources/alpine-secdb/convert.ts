import { parseOsv } from "@lookout/advisories";
import type { IngestSourceItem } from "@lookout/advisory-store";

const MODIFIED = "1970-01-01T00:00:00Z"; // secdb has no per-issue time: keep the content hash stable
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:+-]*$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * One Alpine secdb document (`{ distroversion: "v3.19", reponame, packages: [{ pkg: { name,
 * secfixes: { "<fixed version>": ["CVE-… [other ids]"] } } }] }`) → one advisory per (package,
 * issue), id `ALPINE-SECDB:<branch>:<package>:<issue>`, ecosystem `Alpine:<branch>`, fixed at the
 * listed version. The version "0" means "never affected" and yields nothing.
 */
export function* convertSecdb(doc: unknown, fallbackBranch: string): Generator<IngestSourceItem> {
  if (!isObject(doc) || !Array.isArray(doc.packages)) {
    yield { error: "secdb document has no packages array", entry: fallbackBranch };
    return;
  }
  const branch = typeof doc.distroversion === "string" && /^v\d+\.\d+$/.test(doc.distroversion) ? doc.distroversion : fallbackBranch;
  for (const [i, p] of doc.packages.entries()) {
    const pkg = isObject(p) && isObject(p.pkg) ? p.pkg : undefined;
    const name = pkg && typeof pkg.name === "string" ? pkg.name : undefined;
    if (!pkg || !name || !isObject(pkg.secfixes)) {
      yield { error: "package without name or secfixes", entry: `${branch}/packages/${i}` };
      continue;
    }
    const fixedBy = new Map<string, { fixed: string; aliases: string[] }>();
    for (const [version, ids] of Object.entries(pkg.secfixes)) {
      if (version === "0" || !Array.isArray(ids)) continue;
      for (const line of ids) {
        const tokens = typeof line === "string" ? line.split(/\s+/).filter((x) => ID_RE.test(x)) : [];
        const [id, ...aliases] = tokens;
        if (id && !fixedBy.has(id)) fixedBy.set(id, { fixed: version, aliases }); // first listed fix wins
      }
    }
    for (const [issue, { fixed, aliases }] of fixedBy) {
      const ids = [...(issue.startsWith("CVE-") ? [issue] : []), ...aliases];
      const record = {
        id: `ALPINE-SECDB:${branch}:${name}:${issue}`,
        modified: MODIFIED,
        aliases: ids,
        upstream: ids,
        affected: [{ package: { ecosystem: `Alpine:${branch}`, name }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed }] }] }],
      };
      try {
        yield { ok: parseOsv(record), entry: `${branch}/${name}/${issue}` };
      } catch (e) {
        yield { error: (e as Error).message, entry: `${branch}/${name}/${issue}` };
      }
    }
  }
}
