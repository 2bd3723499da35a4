import type { Readable } from "node:stream";
import { LookoutError, REPOSITORY_RE, TAG_RE, type ImageRef, type LayerDescriptor } from "@lookout/domain";
import { DigestVerifier, assertDigest, digestEquals, sha256Digest, verifyBuffer } from "../digest.js";
import { MANIFEST_ACCEPT } from "../media-types.js";
import type { Descriptor } from "../manifest.js";
import { resolveFromStore, type ManifestStore, type ResolveOptions, type ResolveResult } from "../source.js";
import { Authenticator } from "./auth.js";
import { pipeBody, readCappedBody } from "./body.js";
import { normalizeHost, type Credentials, type RegistryHostConfig } from "./config.js";
import { Semaphore } from "./semaphore.js";
import { discardBody, fetchRequester, nodeRequester, type FetchLike, type HttpRequester } from "./http.js";
import { TRANSIENT, backoffDelay, defaultSleep, retryAfterMs, send, type SentResponse, type TransportOptions } from "./transport.js";

export interface RegistryClientOptions extends Omit<TransportOptions, "request"> {
  /** How requests are sent. Default: node:http/https with keep-alive (`nodeRequester()`). */
  request?: HttpRequester;
  /** A fetch to send requests with instead (proxy-aware, or a spy); slower than the default. */
  fetch?: FetchLike;
  /** The operator's registries. Any other host is refused before any network I/O. */
  registries: RegistryHostConfig[];
  /** Credentials from a Docker config.json (`parseDockerConfigAuths`); config entries win. */
  dockerAuths?: Map<string, Credentials>;
  /** Default 4 MiB. */
  maxManifestBytes?: number;
  /** Config blobs are read whole; default 8 MiB. */
  maxConfigBytes?: number;
  now?: () => number;
  /** pino-compatible; never given credentials or headers. */
  log?: { debug(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

/** OCI Distribution API client. One instance per process: it caches tokens and bounds concurrency. */
export class RegistryClient {
  readonly auth: Authenticator;
  private readonly hosts = new Map<string, RegistryHostConfig>();
  private readonly limits = new Map<string, Semaphore>();
  private readonly t: Required<Pick<TransportOptions, "attempts" | "backoffMs" | "maxRetryAfterMs" | "sleep">> & TransportOptions;

  constructor(private readonly opts: RegistryClientOptions) {
    for (const r of opts.registries) this.hosts.set(normalizeHost(r.host), r);
    const request = opts.request ?? (opts.fetch ? fetchRequester(opts.fetch) : nodeRequester());
    this.t = { attempts: 4, backoffMs: 250, maxRetryAfterMs: 30_000, sleep: defaultSleep, ...opts, request };
    this.auth = new Authenticator({
      transport: this.t,
      credentials: (h) => {
        const r = this.hosts.get(h);
        if (r?.username !== undefined || r?.identityToken !== undefined) return r;
        return opts.dockerAuths?.get(h);
      },
      insecure: (h) => this.hosts.get(h)?.insecure === true,
      now: opts.now,
    });
  }

  /** The configured entry for `host`, or LKT_ERR_REGISTRY_NOT_CONFIGURED. */
  hostConfig(host: string): RegistryHostConfig {
    const r = this.hosts.get(normalizeHost(host));
    if (!r) throw new LookoutError("LKT_ERR_REGISTRY_NOT_CONFIGURED", `registry ${host.slice(0, 100)} is not in the configuration`);
    return r;
  }

  /** Resolve a reference (through an index, by platform) to image sources. */
  async resolve(ref: ImageRef, opts: ResolveOptions = {}): Promise<ResolveResult> {
    return resolveFromStore(this.store(ref.registry, ref.repository), referenceOf(ref), opts);
  }

  /**
   * HEAD a tag (or digest) and return the digest the registry reports; registries that omit
   * Docker-Content-Digest get a GET and the digest of the bytes.
   */
  async headDigest(ref: ImageRef): Promise<string> {
    const s = await this.request(ref.registry, ref.repository, "HEAD", `manifests/${referenceOf(ref)}`, { Accept: MANIFEST_ACCEPT });
    s.done();
    s.res.body.resume();
    const d = s.res.headers.get("docker-content-digest");
    if (d) return assertDigest(d);
    return (await this.store(ref.registry, ref.repository).getManifest(referenceOf(ref))).digest;
  }

  /** Blob access for one repository; what `resolve` builds on. */
  store(registry: string, repository: string): ManifestStore {
    this.hostConfig(registry);
    if (!REPOSITORY_RE.test(repository)) throw new LookoutError("LKT_ERR_VALIDATION", `repository name "${repository.slice(0, 100)}" invalid`);
    const maxManifest = this.opts.maxManifestBytes ?? 4 * 1024 * 1024;
    const maxConfig = this.opts.maxConfigBytes ?? 8 * 1024 * 1024;
    return {
      name: `${registry}/${repository}`,
      getManifest: async (reference) => {
        const s = await this.request(registry, repository, "GET", `manifests/${reference}`, { Accept: MANIFEST_ACCEPT });
        const bytes = await readCappedBody(s, maxManifest, `manifest ${reference}`);
        const mediaType = s.res.headers.get("content-type") ?? "";
        if (reference.startsWith("sha")) {
          verifyBuffer(bytes, reference, `manifest ${reference}`);
          return { bytes, mediaType, digest: reference };
        }
        const digest = sha256Digest(bytes);
        const claimed = s.res.headers.get("docker-content-digest");
        if (claimed?.startsWith("sha256:") && !digestEquals(claimed, digest)) {
          throw new LookoutError("LKT_ERR_DIGEST_MISMATCH", `manifest ${reference}: registry says ${claimed}, content is ${digest}`);
        }
        return { bytes, mediaType, digest };
      },
      getBlob: async (desc: Descriptor) => {
        if (desc.size > maxConfig) throw new LookoutError("LKT_ERR_MANIFEST_TOO_LARGE", `config blob is ${desc.size} bytes, cap ${maxConfig}`);
        const s = await this.request(registry, repository, "GET", `blobs/${assertDigest(desc.digest)}`, {});
        const bytes = await readCappedBody(s, maxConfig, `blob ${desc.digest}`);
        verifyBuffer(bytes, desc.digest, `blob ${desc.digest}`);
        return bytes;
      },
      openBlob: (desc, o) => this.openBlob(registry, repository, desc, o?.signal),
    };
  }

  private async openBlob(registry: string, repository: string, desc: LayerDescriptor, signal?: AbortSignal): Promise<Readable> {
    const release = await this.semaphore(registry).acquire();
    try {
      const s = await this.request(registry, repository, "GET", `blobs/${assertDigest(desc.digest)}`, {});
      const verifier = new DigestVerifier(desc.digest, desc.size, `blob ${desc.digest}`);
      const onAbort = () => verifier.destroy(new LookoutError("LKT_ERR_ABORTED", `blob ${desc.digest}: cancelled`, { cause: signal?.reason, retryable: true }));
      signal?.addEventListener("abort", onAbort, { once: true });
      verifier.on("close", () => {
        signal?.removeEventListener("abort", onAbort);
        release();
      });
      return pipeBody(s, verifier, `blob ${desc.digest}`);
    } catch (e) {
      release();
      throw e;
    }
  }

  private semaphore(registry: string): Semaphore {
    const h = normalizeHost(registry);
    let s = this.limits.get(h);
    if (!s) this.limits.set(h, (s = new Semaphore(this.hostConfig(h).maxConcurrency ?? 4)));
    return s;
  }

  /**
   * GET/HEAD `/v2/<repo>/<path>` with auth, retries (network errors, 408/429/5xx, honouring
   * Retry-After) and typed errors for everything but 2xx. A 401 gets one fresh credential.
   */
  private async request(registry: string, repository: string, method: string, path: string, headers: Record<string, string>): Promise<SentResponse> {
    const cfg = this.hostConfig(registry);
    const host = normalizeHost(cfg.host);
    const url = `${cfg.insecure ? "http" : "https"}://${host}/v2/${repository}/${path}`;
    const scope = `repository:${repository}:pull`;
    for (let attempt = 1; ; attempt++) {
      let s: SentResponse;
      try {
        s = await this.sendAuthed(host, url, method, headers, scope);
      } catch (e) {
        if (e instanceof LookoutError && e.retryable && attempt < this.t.attempts) {
          const delayMs = e.retryAfterMs ?? backoffDelay(attempt, this.t.backoffMs);
          this.opts.log?.warn({ host, path, code: e.code, attempt, delayMs }, "registry request retry");
          await this.t.sleep(delayMs);
          continue;
        }
        throw e;
      }
      if (s.res.status >= 200 && s.res.status < 300) return s;
      discardBody(s.res);
      s.done();
      const status = s.res.status;
      const after = retryAfterMs(s.res, this.t.maxRetryAfterMs);
      if (TRANSIENT.has(status) && attempt < this.t.attempts) {
        const delayMs = after ?? backoffDelay(attempt, this.t.backoffMs);
        this.opts.log?.warn({ host, path, status, attempt, delayMs }, "registry request retry");
        await this.t.sleep(delayMs);
        continue;
      }
      if (status === 404) throw new LookoutError("LKT_ERR_BLOB_NOT_FOUND", `${host}/${repository}: ${path} not found`, { status: 404 });
      if (status === 401 || status === 403) throw new LookoutError("LKT_ERR_REGISTRY_AUTH", `${host} refused access to ${repository} (${status})`, { status });
      throw new LookoutError("LKT_ERR_REGISTRY_HTTP", `${host}/${repository}: ${path} answered ${status}`, {
        status,
        retryable: TRANSIENT.has(status),
        ...(after !== undefined ? { retryAfterMs: after } : {}),
      });
    }
  }

  private async sendAuthed(host: string, url: string, method: string, headers: Record<string, string>, scope: string): Promise<SentResponse> {
    const h = { ...headers };
    const cached = this.auth.cached(host, scope);
    if (cached) h.Authorization = cached;
    const first = await send(url, { method, headers: h }, this.t);
    if (first.res.status !== 401) return first;
    discardBody(first.res);
    first.done();
    h.Authorization = await this.auth.challenge(host, first.res.headers.get("www-authenticate"), scope);
    return send(url, { method, headers: h }, this.t);
  }
}

/** The `<reference>` path segment: digest when pinned, else the tag (default "latest"). */
export function referenceOf(ref: ImageRef): string {
  if (ref.digest) return assertDigest(ref.digest);
  const tag = ref.tag ?? "latest";
  if (!TAG_RE.test(tag)) throw new LookoutError("LKT_ERR_VALIDATION", `tag "${tag.slice(0, 140)}" invalid`);
  return tag;
}
