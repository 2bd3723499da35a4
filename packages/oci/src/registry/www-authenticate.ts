export interface Challenge {
  scheme: "bearer" | "basic" | string;
  params: Record<string, string>;
}

/**
 * Parse a `WWW-Authenticate` header (RFC 7235 auth-params, quoted strings with escapes).
 * Only the first challenge is returned: registries send one.
 */
export function parseWwwAuthenticate(header: string | null | undefined): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*([A-Za-z][A-Za-z0-9._~+/-]*)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/gy;
  const rest = m[2]!;
  let p: RegExpExecArray | null;
  while ((p = re.exec(rest)) !== null && p[0] !== "") {
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, "$1") : p[3]!;
  }
  return { scheme: m[1]!.toLowerCase(), params };
}
