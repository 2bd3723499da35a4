/**
 * Text members of a jar: `META-INF/maven/<g>/<a>/pom.properties` (java.util.Properties
 * syntax) and `META-INF/MANIFEST.MF` (main section; 72-byte lines continued by a leading
 * space).
 */

/** java.util.Properties subset: `key=value`, `key: value`, `key value`, comments, continuations. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.replace(/\\\r?\n[ \t\f]*/g, "").split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.replace(/^[ \t\f]+/, "");
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    const m = /^((?:\\.|[^=:\s\\])+)[ \t\f]*[=:\s]?[ \t\f]*(.*)$/.exec(line);
    if (!m?.[1]) continue;
    out.set(m[1].replace(/\\(.)/g, "$1"), (m[2] ?? "").trim());
  }
  return out;
}

/** Main-section attributes of a MANIFEST.MF. */
export function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === "") break; // end of the main section
    if (line.startsWith(" ") && last !== undefined) {
      out.set(last, out.get(last)! + line.slice(1));
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim();
    out.set(last, line.slice(colon + 1).trim());
  }
  return out;
}
