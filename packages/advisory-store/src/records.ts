import { createHash } from "node:crypto";
import type { Advisory, AffectedPackage, AffectedRange, SeverityEntry } from "@lookout/advisories";
import { normalizePackageName } from "@lookout/matching";
import { BOUNDS_VERSION, upperKey } from "./bounds.js";

/** What of an affected entry is kept in affected_ranges.entry (the rest has columns). */
interface EntryMeta {
  name: string;
  severity?: SeverityEntry[];
  severityWord?: string;
  urgency?: string;
  status?: string;
}

export interface AdvisoryRow {
  id: string;
  source: string;
  modified: Date | null;
  published: Date | null;
  withdrawn: Date | null;
  aliases: string[];
  summary: string | null;
  severity: SeverityEntry[];
  doc: Omit<Advisory, "affected">;
  contentHash: string;
}

export interface AffectedRow {
  advisoryId: string;
  ecosystem: string;
  ecosystemRelease: string | null;
  packageName: string;
  purl: string | null;
  ranges: AffectedRange[];
  versions: string[];
  entryIndex: number;
  entry: EntryMeta;
  maxKey: string | null;
  state: string | null;
}

function toDate(s: string | undefined): Date | null {
  if (!s) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Content hash of a normalised record as stored: equal hash ⇒ nothing to write. */
export function contentHash(adv: Advisory, source: string): string {
  return createHash("sha256").update(`${source}\0${BOUNDS_VERSION}\0`).update(JSON.stringify(adv)).digest("hex");
}

/** Split a normalised advisory into its advisories row and one affected_ranges row per entry. */
export function toRows(adv: Advisory, source: string, hash = contentHash(adv, source)): { advisory: AdvisoryRow; affected: AffectedRow[] } {
  const { affected, ...doc } = adv;
  const advisory: AdvisoryRow = {
    id: adv.id,
    source,
    modified: toDate(adv.modified),
    published: toDate(adv.published),
    withdrawn: toDate(adv.withdrawn),
    aliases: adv.aliases,
    summary: adv.summary ?? null,
    severity: adv.severity,
    doc,
    contentHash: hash,
  };
  return { advisory, affected: affected.map((a, i) => affectedRow(adv.id, a, i)) };
}

function affectedRow(advisoryId: string, a: AffectedPackage, entryIndex: number): AffectedRow {
  const entry: EntryMeta = { name: a.name };
  if (a.severity.length > 0) entry.severity = a.severity;
  if (a.severityWord !== undefined) entry.severityWord = a.severityWord;
  if (a.urgency !== undefined) entry.urgency = a.urgency;
  if (a.status !== undefined) entry.status = a.status;
  return {
    advisoryId,
    ecosystem: a.ecosystem,
    ecosystemRelease: a.ecosystemRelease ?? null,
    packageName: normalizePackageName(a.ecosystem, a.name),
    purl: a.purl ?? null,
    ranges: a.ranges,
    versions: a.versions,
    entryIndex,
    entry,
    maxKey: upperKey(a),
    state: a.status ?? a.urgency ?? null,
  };
}

/** Inverse of `affectedRow` (from the columns a lookup selects). */
export function fromAffectedRow(r: {
  ecosystem: string; ecosystem_release: string | null; package_name: string; purl: string | null;
  ranges: AffectedRange[]; versions: string[] | null; entry: EntryMeta | null;
}): AffectedPackage {
  const e = r.entry ?? { name: r.package_name };
  const a: AffectedPackage = {
    ecosystem: r.ecosystem,
    name: e.name,
    ranges: r.ranges,
    versions: r.versions ?? [],
    severity: e.severity ?? [],
  };
  if (r.ecosystem_release !== null) a.ecosystemRelease = r.ecosystem_release;
  if (r.purl !== null) a.purl = r.purl;
  if (e.severityWord !== undefined) a.severityWord = e.severityWord;
  if (e.urgency !== undefined) a.urgency = e.urgency;
  if (e.status !== undefined) a.status = e.status;
  return a;
}
