/**
 * Slack mrkdwn escaping for untrusted strings (repository, tag, package names come from pushes
 * and image contents). Slack's control characters are `&`, `<`, `>`: escaping them means a value
 * can never open a `<url|text>` link or a `<!channel>`/`<!here>`/`<@U…>` mention. Bare
 * `@channel`/`@here`/`@everyone` words get a word joiner so legacy link_names parsing cannot
 * turn them into pings either.
 */

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function escapeText(s: string): string {
  return s
    .replace(CONTROL, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/@(channel|here|everyone)/gi, "@\u2060$1");
}

/** Inline code span: escaped, one line, and a backtick cannot close the span early. */
export function code(s: string): string {
  return "`" + escapeText(s.replace(/[`\r\n]/g, "'")) + "`";
}

/** One line of plain text (header blocks): no newlines, escaped. */
export function plainLine(s: string): string {
  return escapeText(s.replace(/[\r\n\t]+/g, " "));
}

/** `<url|text>` when url is http(s); otherwise just the escaped text (no link from hostile input). */
export function link(url: string | undefined, text: string): string {
  const safe = safeUrl(url);
  return safe ? `<${safe}|${escapeText(text)}>` : escapeText(text);
}

/** A URL safe inside `<…|…>`: http(s) only, `|` and `>` percent-encoded, `&` escaped, ≤ 1000 chars. */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return undefined;
  const href = u.href.replace(/\|/g, "%7C").replace(/</g, "%3C").replace(/>/g, "%3E").replace(/&/g, "&amp;");
  return href.length <= 1000 ? href : undefined;
}

/** Cuts to `max` UTF-16 units with an ellipsis, never splitting a surrogate pair or an entity. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = s.slice(0, max - 1);
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  cut = cut.replace(/&[a-z]{0,4}$/, "");
  return cut + "…";
}
