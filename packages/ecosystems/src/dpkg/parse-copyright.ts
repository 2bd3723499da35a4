/**
 * License short names from a Debian machine-readable copyright file (DEP-5, copyright-format
 * 1.0): the first line of every `License:` field, in file order, once each. A file whose
 * first paragraph has no `Format:` naming copyright-format 1.0 is free text: no names (a
 * guess from prose is not worth its false positives).
 */

/** Most names kept per file, and longest name; real files list a few dozen short ones. */
export const MAX_LICENSES = 64;
export const MAX_LICENSE_CHARS = 1024;

const FORMAT_1_0 = "https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/";

/** Same normalisation python-debian applies before comparing the Format URL. */
function isFormat10(value: string): boolean {
  let v = value.trim();
  if (!v.endsWith("/")) v += "/";
  if (v.startsWith("http:")) v = `https:${v.slice(5)}`;
  return v === FORMAT_1_0;
}

export function parseCopyrightLicenses(text: string): string[] {
  const out: string[] = [];
  let paragraph = 0;
  let inParagraph = false;
  let machineReadable = false;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.charCodeAt(end - 1) === 0x0d ? text.slice(start, end - 1) : text.slice(start, end);
    start = end + 1;
    if (line.trim() === "") {
      if (inParagraph) paragraph++;
      inParagraph = false;
      // The header is the first paragraph: past it without a Format, the file is free text.
      if (paragraph > 0 && !machineReadable) return [];
      continue;
    }
    inParagraph = true;
    const c0 = line.charCodeAt(0);
    // Continuation lines (space, tab) carry license text; '#' lines are comments.
    if (c0 === 0x20 || c0 === 0x09 || c0 === 0x23) continue;
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const field = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (paragraph === 0 && (field === "format" || field === "format-specification")) machineReadable = isFormat10(value);
    // A header License may come before Format; a file without Format returns [] below.
    else if (field === "license" && (machineReadable || paragraph === 0) && value !== "" && value.length <= MAX_LICENSE_CHARS && !out.includes(value)) {
      out.push(value);
      if (out.length >= MAX_LICENSES) break;
    }
  }
  return machineReadable ? out : [];
}
