import { parseOsv } from "@lookout/advisories";
import type { IngestSourceItem } from "@lookout/advisory-store";

/** Debian codenames the tracker uses → the release number OSV's `Debian:<n>` ecosystems use. */
export const DEBIAN_RELEASES: Record<string, string> = {
  wheezy: "7", jessie: "8", stretch: "9", buster: "10", bullseye: "11", bookworm: "12", trixie: "13", forky: "14", duke: "15",
};

/**
 * The tracker has no modification time per issue; a constant keeps the content hash stable, so an
 * unchanged issue costs no write however often the file is re-published.
 */
const MODIFIED = "1970-01-01T00:00:00Z";
const SUMMARY_MAX = 300;

interface TrackerRelease {
  status?: string;
  fixed_version?: string;
  urgency?: string;
  nodsa?: string;
  nodsa_reason?: string;
}

/**
 * The triage word the matcher reads from ecosystem_specific.status: its TRIAGE table maps
 * ignored → will-not-fix, end-of-life and unimportant to themselves; no-dsa, postponed and
 * unfixed stay "not-fixed" but are kept for display.
 */
function triage(r: TrackerRelease): string | undefined {
  if (r.nodsa_reason === "ignored" || r.nodsa_reason === "postponed") return r.nodsa_reason;
  if (r.urgency === "end-of-life" || r.urgency === "unimportant") return r.urgency;
  if (r.nodsa !== undefined) return "no-dsa";
  if (r.status === "open" || r.status === "undetermined") return "unfixed";
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * One source package of the tracker JSON (`{ "<CVE>": { description, releases: { <codename>:
 * {status, fixed_version, urgency, nodsa, nodsa_reason} } } }`) → one OSV-shaped advisory per
 * issue, id `DEBIAN-TRACKER:<package>:<issue>` aliasing the CVE so the matcher merges it with the
 * other records of that CVE. Releases without a number (sid, experimental) and "not affected"
 * (resolved with fixed_version 0) are left out; an issue with nothing left yields no record.
 * `unknownReleases` counts codenames not in DEBIAN_RELEASES.
 */
export function convertTrackerPackage(pkg: string, value: unknown, stats: { unknownReleases: number }): IngestSourceItem[] {
  const entry = `${pkg}`;
  if (!isObject(value)) return [{ error: "package entry is not an object", entry }];
  const out: IngestSourceItem[] = [];
  for (const [issue, raw] of Object.entries(value)) {
    if (!isObject(raw)) {
      out.push({ error: "issue entry is not an object", entry: `${pkg}/${issue}` });
      continue;
    }
    const affected = [];
    const releases = isObject(raw.releases) ? raw.releases : {};
    for (const [codename, r] of Object.entries(releases) as [string, TrackerRelease][]) {
      const rel = DEBIAN_RELEASES[codename];
      if (!rel) {
        if (codename !== "sid" && codename !== "experimental") stats.unknownReleases++;
        continue;
      }
      if (!isObject(r)) continue;
      if (r.status === "resolved" && (!r.fixed_version || r.fixed_version === "0")) continue; // not affected
      const events: Record<string, string>[] = [{ introduced: "0" }];
      if (r.status === "resolved") events.push({ fixed: String(r.fixed_version) });
      const spec: Record<string, string> = {};
      if (typeof r.urgency === "string") spec.urgency = r.urgency;
      const t = triage(r);
      if (t) spec.status = t;
      affected.push({ package: { ecosystem: `Debian:${rel}`, name: pkg }, ranges: [{ type: "ECOSYSTEM", events }], ecosystem_specific: spec });
    }
    if (affected.length === 0) continue;
    const cve = /^CVE-\d{4}-\d+$/.test(issue) ? [issue] : [];
    const record = {
      id: `DEBIAN-TRACKER:${pkg}:${issue}`,
      modified: MODIFIED,
      aliases: cve,
      upstream: cve,
      ...(typeof raw.description === "string" ? { summary: raw.description.slice(0, SUMMARY_MAX) } : {}),
      affected,
    };
    try {
      out.push({ ok: parseOsv(record), entry: `${pkg}/${issue}` });
    } catch (e) {
      out.push({ error: (e as Error).message, entry: `${pkg}/${issue}` });
    }
  }
  return out;
}
