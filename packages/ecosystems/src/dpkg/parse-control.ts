/**
 * Debian control-file ("deb822") stanza parser, as dpkg reads /var/lib/dpkg/status.
 * Field names are case-insensitive (stored lower-cased); continuation lines start with a space
 * or tab; stanzas are separated by one or more blank lines.
 */
export type Stanza = Map<string, string>;

/** Longest field value we keep; status files hold huge Conffiles/Description blocks we don't need. */
const MAX_FIELD_CHARS = 64 * 1024;

export function parseStanzas(text: string): Stanza[] {
  const out: Stanza[] = [];
  let cur: Stanza = new Map();
  let last: string | undefined;
  const lines = text.split("\n");
  for (const raw of lines) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") {
      if (cur.size > 0) out.push(cur);
      cur = new Map();
      last = undefined;
      continue;
    }
    const c0 = line.charCodeAt(0);
    if (c0 === 0x20 || c0 === 0x09) {
      // Continuation of the previous field (Description, Conffiles): append only while small.
      if (last !== undefined) {
        const prev = cur.get(last) ?? "";
        if (prev.length < MAX_FIELD_CHARS) cur.set(last, `${prev}\n${line.trim()}`);
      }
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) {
      last = undefined;
      continue;
    }
    last = line.slice(0, colon).trim().toLowerCase();
    cur.set(last, line.slice(colon + 1).trim());
  }
  if (cur.size > 0) out.push(cur);
  return out;
}
