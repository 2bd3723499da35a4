import { LookoutError } from "@lookout/domain";
import type { Credentials } from "./config.js";
import { send, type TransportOptions } from "./transport.js";
import { parseWwwAuthenticate } from "./www-authenticate.js";
import { readCappedBody } from "./body.js";

interface CachedToken {
  header: string;
  expiresAt: number;
}

export interface AuthenticatorOptions {
  transport: TransportOptions;
  credentials: (host: string) => Credentials | undefined;
  insecure: (host: string) => boolean;
  now?: () => number;
}

const MAX_TOKEN_RESPONSE = 1 << 20;

/**
 * Registry auth: Basic when the registry asks for it, and the Docker bearer-token flow
 * (challenge → token realm → cached token until it expires). Tokens are cached per
 * (host, scope); `challenge` is called on a 401 and always fetches a fresh token.
 */
export class Authenticator {
  private readonly cache = new Map<string, CachedToken>();
  private readonly now: () => number;
  /** Tokens fetched from realms, for tests and metrics. */
  tokenFetches = 0;

  constructor(private readonly opts: AuthenticatorOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Authorization header to send up front, if one is cached and fresh. */
  cached(host: string, scope: string): string | undefined {
    const t = this.cache.get(`${host}|${scope}`);
    if (t && t.expiresAt > this.now()) return t.header;
    return undefined;
  }

  /** Answer a 401's WWW-Authenticate. Throws LKT_ERR_REGISTRY_AUTH when it cannot. */
  async challenge(host: string, wwwAuthenticate: string | null, scope: string): Promise<string> {
    const ch = parseWwwAuthenticate(wwwAuthenticate);
    const creds = this.opts.credentials(host);
    if (!ch) throw new LookoutError("LKT_ERR_REGISTRY_AUTH", `${host} answered 401 without a usable WWW-Authenticate challenge`);
    if (ch.scheme === "basic") {
      if (creds?.username === undefined) throw new LookoutError("LKT_ERR_REGISTRY_AUTH", `${host} requires credentials and none are configured`);
      const header = `Basic ${Buffer.from(`${creds.username}:${creds.password ?? ""}`).toString("base64")}`;
      this.cache.set(`${host}|${scope}`, { header, expiresAt: Number.POSITIVE_INFINITY });
      return header;
    }
    if (ch.scheme !== "bearer") throw new LookoutError("LKT_ERR_REGISTRY_AUTH", `${host} asks for unsupported auth scheme ${ch.scheme}`);
    const token = await this.fetchToken(host, ch.params, scope, creds);
    this.cache.set(`${host}|${scope}`, token);
    return token.header;
  }

  private async fetchToken(host: string, params: Record<string, string>, scope: string, creds: Credentials | undefined): Promise<CachedToken> {
    let realm: URL;
    try {
      realm = new URL(params.realm ?? "");
    } catch {
      throw new LookoutError("LKT_ERR_REGISTRY_AUTH", `${host}: bearer challenge has no valid realm`);
    }
    if (realm.protocol !== "https:" && !(realm.protocol === "http:" && this.opts.insecure(host))) {
      throw new LookoutError("LKT_ERR_REGISTRY_AUTH", `${host}: token realm must be https (host not marked insecure)`);
    }
    const q = new URLSearchParams();
    if (params.service) q.set("service", params.service);
    q.set("scope", params.scope ?? scope);
    const headers: Record<string, string> = { Accept: "application/json" };
    let method = "GET";
    if (creds?.identityToken) {
      method = "POST";
      q.set("grant_type", "refresh_token");
      q.set("refresh_token", creds.identityToken);
      q.set("client_id", "lookout");
      headers["Content-Type"] = "application/x-www-form-urlencoded";
    } else if (creds?.username !== undefined) {
      headers.Authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password ?? ""}`).toString("base64")}`;
    }
    const url = method === "GET" ? `${realm.origin}${realm.pathname}?${mergeQuery(realm, q)}` : realm.toString();
    const sent = await send(url, { method, headers, ...(method === "POST" ? { body: q.toString() } : {}) }, this.opts.transport);
    this.tokenFetches++;
    const body = await readCappedBody(sent, MAX_TOKEN_RESPONSE, "token response");
    if (sent.res.status === 401 || sent.res.status === 403) throw new LookoutError("LKT_ERR_REGISTRY_AUTH", `token realm ${realm.host} refused the credentials (${sent.res.status})`);
    if (sent.res.status < 200 || sent.res.status > 299) throw new LookoutError("LKT_ERR_REGISTRY_AUTH", `token realm ${realm.host} answered ${sent.res.status}`, { retryable: sent.res.status >= 500 });
    let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      doc = JSON.parse(body.toString("utf8")) as typeof doc;
    } catch {
      throw new LookoutError("LKT_ERR_REGISTRY_AUTH", `token realm ${realm.host} sent malformed JSON`);
    }
    const tok = typeof doc.token === "string" && doc.token ? doc.token : typeof doc.access_token === "string" ? doc.access_token : "";
    if (!tok) throw new LookoutError("LKT_ERR_REGISTRY_AUTH", `token realm ${realm.host} sent no token`);
    // Docker token spec: expires_in defaults to 60 s; renew a little early.
    const ttl = typeof doc.expires_in === "number" && doc.expires_in > 0 ? doc.expires_in : 60;
    // Expiry counts from our clock at receipt, not issued_at: the realm's clock may be skewed.
    return { header: `Bearer ${tok}`, expiresAt: this.now() + ttl * 1000 - Math.min(10_000, (ttl * 1000) / 10) };
  }
}

function mergeQuery(realm: URL, extra: URLSearchParams): string {
  const q = new URLSearchParams(realm.search);
  for (const [k, v] of extra) q.append(k, v);
  return q.toString();
}
