import { LookoutError } from "@lookout/domain";

/**
 * package-url builder (https://github.com/package-url/purl-spec). Canonical form: lower-case
 * type, per-type name normalisation, qualifiers sorted by key with empty values dropped, and
 * every component percent-encoded except the unreserved characters and ':'.
 */
export interface PurlParts {
  type: string;
  namespace?: string | null;
  name: string;
  version?: string | null;
  qualifiers?: Record<string, string | undefined> | null;
  subpath?: string | null;
}

const TYPE_RE = /^[A-Za-z.+-][A-Za-z0-9.+-]*$/;
const QUALIFIER_KEY_RE = /^[A-Za-z.\-_][A-Za-z0-9.\-_]*$/;
/** Types whose namespace and name are case-insensitive and must be lower-cased. */
const LOWERCASE_TYPES = new Set(["alpm", "apk", "bitbucket", "bitnami", "composer", "deb", "github", "hex", "pypi"]);

/** Nothing to encode: most names and versions (skips three string passes per component). */
const PLAIN = /^[A-Za-z0-9._~:-]*$/;

/** Percent-encodes all but `A-Za-z0-9 . - _ ~ :`, as the spec's build tests expect. */
export function purlEncode(s: string): string {
  if (PLAIN.test(s)) return s;
  return encodeURIComponent(s)
    .replace(/%3A/gi, ":")
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function invalid(what: string): LookoutError {
  return new LookoutError("LKT_ERR_VALIDATION", `purl: ${what}`);
}

/** Builds a canonical purl string; throws LKT_ERR_VALIDATION for a missing/invalid type or name. */
export function buildPurl(p: PurlParts): string {
  if (!p.type || !TYPE_RE.test(p.type)) throw invalid(`invalid type ${JSON.stringify(p.type)}`);
  if (!p.name) throw invalid("name is required");
  const type = p.type.toLowerCase();
  let namespace = p.namespace ?? "";
  let name = p.name;
  if (LOWERCASE_TYPES.has(type)) {
    namespace = namespace.toLowerCase();
    name = name.toLowerCase();
  }
  if (type === "pypi") name = name.replace(/_/g, "-");

  let out = `pkg:${type}/`;
  const segs = namespace.split("/").filter((s) => s !== "");
  if (segs.length > 0) out += `${segs.map(purlEncode).join("/")}/`;
  out += purlEncode(name);
  if (p.version) out += `@${purlEncode(p.version)}`;

  const quals = Object.entries(p.qualifiers ?? {}).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== "");
  for (const [k] of quals) if (!QUALIFIER_KEY_RE.test(k)) throw invalid(`invalid qualifier key ${JSON.stringify(k)}`);
  if (quals.length > 0) {
    quals.sort((a, b) => (a[0].toLowerCase() < b[0].toLowerCase() ? -1 : 1));
    out += `?${quals.map(([k, v]) => `${k.toLowerCase()}=${purlEncode(v)}`).join("&")}`;
  }
  const sub = (p.subpath ?? "").split("/").filter((s) => s !== "" && s !== "." && s !== "..");
  if (sub.length > 0) out += `#${sub.map(purlEncode).join("/")}`;
  return out;
}
