/**
 * os-release(5) parser: KEY=VALUE lines, values optionally in single or double quotes, with
 * shell-style backslash escapes inside double quotes. Comments and blank lines are skipped.
 * A malformed line (no '=', bad key, unterminated quote) is skipped and counted, so a corrupt
 * file still yields the keys it does carry (gcr.io/distroless once shipped a truncated one).
 */
export interface OsRelease {
  fields: Record<string, string>;
  /** 1-based numbers of lines that could not be parsed. */
  malformedLines: number[];
}

const KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseOsRelease(text: string): OsRelease {
  const fields: Record<string, string> = {};
  const malformedLines: number[] = [];
  const lines = text.split("\n");
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const eq = line.indexOf("=");
    const key = eq > 0 ? line.slice(0, eq) : "";
    const value = eq > 0 ? unquote(line.slice(eq + 1)) : undefined;
    if (!KEY_RE.test(key) || value === undefined) {
      malformedLines.push(i + 1);
      return;
    }
    fields[key] = value;
  });
  return { fields, malformedLines };
}

/** Returns undefined for an unterminated quote. */
function unquote(v: string): string | undefined {
  const q = v[0];
  if (q !== '"' && q !== "'") return v;
  let out = "";
  for (let i = 1; i < v.length; i++) {
    const c = v[i] as string;
    if (c === q) return out; // anything after the closing quote is ignored, as systemd does
    if (q === '"' && c === "\\" && i + 1 < v.length && '"\\$`'.includes(v[i + 1] as string)) {
      out += v[i + 1];
      i++;
      continue;
    }
    out += c;
  }
  return undefined;
}
