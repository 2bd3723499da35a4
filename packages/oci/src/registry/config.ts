import { LookoutError } from "@lookout/domain";

/** One registry the operator allows the scanner to pull from. */
export interface RegistryHostConfig {
  /** host[:port] exactly as image references name it ("ghcr.io", "127.0.0.1:5000"). */
  host: string;
  /** Plain HTTP (and an HTTP token realm) allowed. Only for hosts the operator marks so. */
  insecure?: boolean;
  username?: string;
  password?: string;
  /** OAuth2 refresh token (Docker config `identitytoken`), traded at the token realm. */
  identityToken?: string;
  /** Concurrent requests to this registry (default 4). */
  maxConcurrency?: number;
}

export interface Credentials {
  username?: string;
  password?: string;
  identityToken?: string;
}

/** "https://index.docker.io/v1/" → "index.docker.io"; "Host:5000/" → "host:5000". */
export function normalizeHost(h: string): string {
  return h.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "").toLowerCase();
}

/**
 * Parse a Docker `config.json` and return its `auths` as credentials by host. Entries holding
 * only a credential helper reference are skipped (helpers are programs; a library runs none).
 */
export function parseDockerConfigAuths(json: string): Map<string, Credentials> {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    throw new LookoutError("LKT_ERR_CONFIG_INVALID", "docker config.json is not valid JSON");
  }
  const out = new Map<string, Credentials>();
  const auths = (doc as { auths?: unknown })?.auths;
  if (typeof auths !== "object" || auths === null) return out;
  for (const [key, v] of Object.entries(auths as Record<string, unknown>)) {
    if (typeof v !== "object" || v === null) continue;
    const e = v as Record<string, unknown>;
    const c: Credentials = {};
    if (typeof e.auth === "string" && e.auth) {
      const decoded = Buffer.from(e.auth, "base64").toString("utf8");
      const i = decoded.indexOf(":");
      if (i < 0) throw new LookoutError("LKT_ERR_CONFIG_INVALID", `docker config.json: auth for ${normalizeHost(key)} is not base64(user:password)`);
      c.username = decoded.slice(0, i);
      c.password = decoded.slice(i + 1);
    }
    if (typeof e.username === "string") c.username = e.username;
    if (typeof e.password === "string") c.password = e.password;
    if (typeof e.identitytoken === "string" && e.identitytoken) c.identityToken = e.identitytoken;
    if (c.username !== undefined || c.identityToken !== undefined) out.set(normalizeHost(key), c);
  }
  return out;
}
