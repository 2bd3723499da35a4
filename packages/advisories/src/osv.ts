import { LookoutError } from "@lookout/domain";
import { z } from "zod";
import { splitEcosystem } from "./ecosystem.js";
import {
  EVENT_KINDS, RANGE_TYPES,
  type Advisory, type AffectedPackage, type AffectedRange, type EventKind, type ParseWarning, type RangeEvent,
  type RangeType, type SeverityEntry,
} from "./model.js";

/** Caps for one record. A record over a cap is rejected (LKT_ERR_ADVISORY_INVALID) with the reason. */
export interface OsvLimits {
  maxAffected: number;
  /** Ranges plus events across the whole record. */
  maxRangeEvents: number;
  /** Explicit `versions` entries across the whole record (Ubuntu kernel records list thousands). */
  maxVersions: number;
  maxIds: number;
  maxReferences: number;
  maxSummaryChars: number;
  maxDetailsChars: number;
}
export const DEFAULT_OSV_LIMITS: Readonly<OsvLimits> = {
  maxAffected: 5_000,
  maxRangeEvents: 5_000,
  maxVersions: 200_000,
  maxIds: 1_000,
  maxReferences: 200,
  maxSummaryChars: 1_000,
  maxDetailsChars: 10_000,
};

export interface ParseOsvOptions {
  limits?: Partial<OsvLimits>;
  /** Called for each part of the record dropped while the rest is kept (unknown range type, bad event). */
  onWarning?: (w: ParseWarning) => void;
}

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:+-]*$/;
const shortStr = z.string().max(1024);
const idList = z.array(z.string().max(256)).nullish();
const record = z.record(z.string(), z.unknown()).nullish();
const severityList = z.array(z.object({ type: z.string().max(64), score: z.string().max(1024) })).max(100).nullish();

const topSchema = z.object({
  id: z.string().min(1).max(256).regex(ID_RE, "must be an OSV id"),
  modified: z.string().min(1).max(64),
  published: z.string().max(64).nullish(),
  withdrawn: z.string().max(64).nullish(),
  aliases: idList,
  related: idList,
  upstream: idList,
  summary: z.string().nullish(),
  details: z.string().nullish(),
  severity: severityList,
  database_specific: record,
  references: z.array(z.object({ type: z.string().max(64), url: z.string().max(4096) })).nullish(),
  affected: z.array(z.unknown()).nullish(),
});

const affectedSchema = z.object({
  package: z.object({
    ecosystem: z.string().min(1).max(256),
    name: z.string().min(1).max(1024),
    purl: z.string().max(2048).nullish(),
  }).nullish(),
  ranges: z.array(z.unknown()).nullish(),
  versions: z.array(shortStr).nullish(),
  severity: severityList,
  ecosystem_specific: record,
  database_specific: record,
});

const rangeSchema = z.object({
  type: z.string().max(64),
  repo: z.string().max(4096).nullish(),
  events: z.array(z.record(z.string(), z.unknown())).min(1),
});

type Top = z.infer<typeof topSchema>;
type AffectedIn = z.infer<typeof affectedSchema>;
type RangeIn = z.infer<typeof rangeSchema>;

// Hand-written checks of exactly what the schemas above accept. A record that passes is used as
// parsed (zod copies every object it validates: most of a parse's time and garbage); one that
// fails goes through zod, which decides and words the error. So they may only ever be stricter.
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isStr = (v: unknown, min: number, max: number): boolean => typeof v === "string" && v.length >= min && v.length <= max;
const optStr = (v: unknown, max: number): boolean => v == null || (typeof v === "string" && v.length <= max);
const optStrList = (v: unknown, max: number): boolean => v == null || (Array.isArray(v) && v.every((x) => typeof x === "string" && x.length <= max));
const optRec = (v: unknown): boolean => v == null || isObj(v);
const optSeverities = (v: unknown): boolean =>
  v == null || (Array.isArray(v) && v.length <= 100 && v.every((x) => isObj(x) && isStr(x.type, 0, 64) && isStr(x.score, 0, 1024)));

function quickTop(x: Record<string, unknown>): x is Top {
  return isStr(x.id, 1, 256) && ID_RE.test(x.id as string) && isStr(x.modified, 1, 64) && optStr(x.published, 64) && optStr(x.withdrawn, 64)
    && optStrList(x.aliases, 256) && optStrList(x.related, 256) && optStrList(x.upstream, 256)
    && optStr(x.summary, Infinity) && optStr(x.details, Infinity) && optSeverities(x.severity) && optRec(x.database_specific)
    && (x.references == null || (Array.isArray(x.references) && x.references.every((r) => isObj(r) && isStr(r.type, 0, 64) && isStr(r.url, 0, 4096))))
    && (x.affected == null || Array.isArray(x.affected));
}

function quickAffected(a: unknown): a is AffectedIn {
  if (!isObj(a)) return false;
  const p = a.package;
  return (p == null || (isObj(p) && isStr(p.ecosystem, 1, 256) && isStr(p.name, 1, 1024) && optStr(p.purl, 2048)))
    && (a.ranges == null || Array.isArray(a.ranges)) && optStrList(a.versions, 1024) && optSeverities(a.severity)
    && optRec(a.ecosystem_specific) && optRec(a.database_specific);
}

function quickRange(r: unknown): r is RangeIn {
  return isObj(r) && isStr(r.type, 0, 64) && optStr(r.repo, 4096) && Array.isArray(r.events) && r.events.length >= 1 && r.events.every(isObj);
}

/** For tests: validate every record through zod only, to compare with the hand-written path. */
export const osvParseMode = { zodOnly: false };

function oneLine(s: string, max = 160): string {
  const flat = s.replace(/[\r\n\t]+/g, " ");
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function reject(id: string | undefined, field: string, reason: string): LookoutError {
  return new LookoutError("LKT_ERR_ADVISORY_INVALID", oneLine(`${id ?? "advisory"}: ${field}: ${reason}`, 300));
}

function zodReject(id: string | undefined, prefix: string, err: z.ZodError): LookoutError {
  const issue = err.issues[0];
  const field = [prefix, ...(issue?.path ?? []).map(String)].filter((p) => p !== "").join(".");
  return reject(id, field || "(record)", issue?.message ?? "invalid");
}

function word(rec: Record<string, unknown> | null | undefined, key: string): string | undefined {
  const v = rec?.[key];
  return typeof v === "string" && v.length > 0 && v.length <= 64 ? v : undefined;
}

function truncate(s: string | null | undefined, max: number): string | undefined {
  if (s === null || s === undefined || s === "") return undefined;
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** Count ranges + events and versions before any deep validation, so a hostile record costs O(n) once. */
function checkCaps(id: string, affected: unknown[], lim: OsvLimits): void {
  if (affected.length > lim.maxAffected) throw reject(id, "affected", `${affected.length} entries exceed the cap of ${lim.maxAffected}`);
  let events = 0;
  let versions = 0;
  for (const a of affected) {
    if (typeof a !== "object" || a === null) continue;
    const { ranges, versions: vs } = a as { ranges?: unknown; versions?: unknown };
    if (Array.isArray(vs)) versions += vs.length;
    if (!Array.isArray(ranges)) continue;
    events += ranges.length;
    for (const r of ranges) {
      const ev = (r as { events?: unknown } | null)?.events;
      if (Array.isArray(ev)) events += ev.length;
    }
  }
  if (events > lim.maxRangeEvents) throw reject(id, "affected.ranges", `${events} ranges+events exceed the cap of ${lim.maxRangeEvents}`);
  if (versions > lim.maxVersions) throw reject(id, "affected.versions", `${versions} versions exceed the cap of ${lim.maxVersions}`);
}

function parseRange(raw: unknown, where: string, warn: (field: string, reason: string) => void): AffectedRange | undefined {
  let data: RangeIn;
  if (!osvParseMode.zodOnly && quickRange(raw)) data = raw;
  else {
    const r = rangeSchema.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0];
      warn([where, ...(issue?.path ?? []).map(String)].join("."), issue?.message ?? "invalid range");
      return undefined;
    }
    data = r.data;
  }
  if (!(RANGE_TYPES as readonly string[]).includes(data.type)) {
    warn(`${where}.type`, `unknown range type "${oneLine(data.type, 40)}"`);
    return undefined;
  }
  const events: RangeEvent[] = [];
  for (const [i, e] of data.events.entries()) {
    const keys = Object.keys(e).filter((k) => (EVENT_KINDS as readonly string[]).includes(k));
    const kind = keys[0] as EventKind | undefined;
    const version = kind === undefined ? undefined : e[kind];
    if (keys.length !== 1 || kind === undefined || typeof version !== "string" || version === "" || version.length > 1024) {
      warn(`${where}.events.${i}`, "event must hold exactly one of introduced/fixed/last_affected/limit as a non-empty string");
      return undefined;
    }
    events.push({ kind, version });
  }
  if (!events.some((e) => e.kind === "introduced")) {
    warn(`${where}.events`, "range has no introduced event");
    return undefined;
  }
  const out: AffectedRange = { type: data.type as RangeType, events };
  if (data.repo) out.repo = data.repo;
  return out;
}

function severities(list: { type: string; score: string }[] | null | undefined): SeverityEntry[] {
  return (list ?? []).map((s) => ({ type: s.type, score: s.score }));
}

/**
 * Validate and normalise one OSV record (schema 1.x; unknown fields ignored). Throws LookoutError
 * LKT_ERR_ADVISORY_INVALID whose one-line message names the offending field. Unknown range types,
 * malformed events and package-less (repo-only) affected entries are dropped with a warning, the
 * rest of the record is kept.
 */
export function parseOsv(input: unknown, opts: ParseOsvOptions = {}): Advisory {
  const lim: OsvLimits = { ...DEFAULT_OSV_LIMITS, ...opts.limits };
  const rawId = typeof input === "object" && input !== null ? (input as { id?: unknown }).id : undefined;
  const guessId = typeof rawId === "string" ? oneLine(rawId, 80) : undefined;
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw reject(guessId, "(record)", "not a JSON object");
  const rawAffected = (input as { affected?: unknown }).affected;
  if (guessId !== undefined && Array.isArray(rawAffected)) checkCaps(guessId, rawAffected, lim);

  let t: Top;
  if (!osvParseMode.zodOnly && quickTop(input as Record<string, unknown>)) t = input as Top;
  else {
    const top = topSchema.safeParse(input);
    if (!top.success) throw zodReject(guessId, "", top.error);
    t = top.data;
  }
  const id = t.id;
  for (const f of ["aliases", "related", "upstream"] as const) {
    if ((t[f]?.length ?? 0) > lim.maxIds) throw reject(id, f, `more than ${lim.maxIds} ids`);
  }
  const warn = (field: string, reason: string): void => opts.onWarning?.({ advisoryId: id, field, reason: oneLine(reason) });

  const affected: AffectedPackage[] = [];
  for (const [i, raw] of (t.affected ?? []).entries()) {
    let d: AffectedIn;
    if (!osvParseMode.zodOnly && quickAffected(raw)) d = raw;
    else {
      const a = affectedSchema.safeParse(raw);
      if (!a.success) throw zodReject(id, `affected.${i}`, a.error);
      d = a.data;
    }
    if (!d.package) {
      warn(`affected.${i}.package`, "no package (repository-only entry), ignored");
      continue;
    }
    const { ecosystem, release } = splitEcosystem(d.package.ecosystem);
    const ranges: AffectedRange[] = [];
    for (const [j, r] of (d.ranges ?? []).entries()) {
      const range = parseRange(r, `affected.${i}.ranges.${j}`, warn);
      if (range) ranges.push(range);
    }
    const pkg: AffectedPackage = { ecosystem, name: d.package.name, ranges, versions: d.versions ? [...d.versions] : [], severity: severities(d.severity) };
    if (release !== undefined) pkg.ecosystemRelease = release;
    if (d.package.purl) pkg.purl = d.package.purl;
    const sevWord = word(d.ecosystem_specific, "severity") ?? word(d.database_specific, "severity");
    if (sevWord) pkg.severityWord = sevWord;
    const urgency = word(d.ecosystem_specific, "urgency") ?? word(d.database_specific, "urgency");
    if (urgency) pkg.urgency = urgency;
    const status = word(d.ecosystem_specific, "status") ?? word(d.database_specific, "status");
    if (status) pkg.status = status;
    affected.push(pkg);
  }

  const adv: Advisory = {
    id,
    modified: t.modified,
    aliases: t.aliases ? [...t.aliases] : [],
    related: t.related ? [...t.related] : [],
    upstream: t.upstream ? [...t.upstream] : [],
    severity: severities(t.severity),
    references: (t.references ?? []).slice(0, lim.maxReferences).map((r) => ({ type: r.type, url: r.url })),
    affected,
  };
  if (t.published) adv.published = t.published;
  if (t.withdrawn) adv.withdrawn = t.withdrawn;
  const summary = truncate(t.summary, lim.maxSummaryChars);
  if (summary) adv.summary = summary;
  const details = truncate(t.details, lim.maxDetailsChars);
  if (details) adv.details = details;
  const sevWord = word(t.database_specific, "severity");
  if (sevWord) adv.severityWord = sevWord;
  return adv;
}

/** `parseOsv` over JSON text; invalid JSON → LKT_ERR_ADVISORY_INVALID. */
export function parseOsvJson(text: string, opts: ParseOsvOptions = {}): Advisory {
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text); // tolerate a UTF-8 BOM
  } catch (e) {
    throw new LookoutError("LKT_ERR_ADVISORY_INVALID", oneLine(`advisory: invalid JSON: ${(e as Error).message}`), { cause: e });
  }
  // Postgres text and jsonb cannot hold U+0000: such a record would fail its whole batch later.
  if (text.includes("\\u0000") && holdsNul(value)) {
    const id = (value as { id?: unknown } | null)?.id;
    throw reject(typeof id === "string" ? oneLine(id, 80) : undefined, "(record)", "holds a U+0000 character, which cannot be stored");
  }
  return parseOsv(value, opts);
}

function holdsNul(v: unknown): boolean {
  if (typeof v === "string") return v.includes("\u0000");
  if (Array.isArray(v)) return v.some(holdsNul);
  if (typeof v === "object" && v !== null) return Object.entries(v).some(([k, x]) => k.includes("\u0000") || holdsNul(x));
  return false;
}
