/**
 * One error base for the whole code base. `code` is a stable string an operator can grep for
 * and docs/errors.md lists; `retryable` tells job and message boundaries whether trying again
 * can help (a digest mismatch cannot, a 503 can).
 */
export const ERROR_CODES = {
  LKT_ERR_CONFIG_INVALID: "configuration value missing or malformed",
  LKT_ERR_CONTRACT_INVALID: "message payload does not match its contract",
  LKT_ERR_WEBHOOK_AUTH: "webhook request not authenticated",
  LKT_ERR_WEBHOOK_BODY: "webhook body malformed",
  LKT_ERR_REGISTRY_NOT_CONFIGURED: "registry host is not in the configuration",
  LKT_ERR_REGISTRY_HTTP: "registry answered with an error",
  LKT_ERR_REGISTRY_UNREACHABLE: "registry did not answer",
  LKT_ERR_REGISTRY_AUTH: "registry refused the credentials",
  LKT_ERR_MANIFEST_INVALID: "manifest malformed",
  LKT_ERR_MANIFEST_UNSUPPORTED: "manifest media type not supported",
  LKT_ERR_MANIFEST_TOO_LARGE: "manifest over the size cap",
  LKT_ERR_PLATFORM_NOT_FOUND: "image index has no manifest for the requested platform",
  LKT_ERR_DIGEST_MISMATCH: "content does not match its digest",
  LKT_ERR_DIGEST_INVALID: "digest string malformed",
  LKT_ERR_BLOB_NOT_FOUND: "blob or manifest not found",
  LKT_ERR_LAYER_CORRUPT: "layer stream is corrupt or truncated",
  LKT_ERR_LAYER_LIMIT: "layer exceeds an extraction cap",
  LKT_ERR_LAYER_MEDIA_TYPE: "layer media type not supported",
  LKT_ERR_PATH_ESCAPE: "path leaves the image root",
  LKT_ERR_PACKAGE_DB_INVALID: "package database or manifest in the image is malformed",
  LKT_ERR_ARCHIVE_LIMIT: "archive or binary in the image exceeds a parsing cap (entries, size, nesting)",
  LKT_ERR_SAMPLE_SHORT: "a parser needs bytes of a file that were not kept (the layer is read again whole)",
  LKT_ERR_SOURCE_INVALID: "local image source malformed",
  LKT_ERR_VERSION_INVALID: "version string not valid for its ecosystem",
  LKT_ERR_ECOSYSTEM_UNSUPPORTED: "ecosystem not supported",
  LKT_ERR_ADVISORY_INVALID: "advisory record malformed",
  LKT_ERR_CVSS_INVALID: "CVSS vector malformed",
  LKT_ERR_FEED_FETCH: "advisory feed could not be fetched",
  LKT_ERR_DELIVERY_PERMANENT: "notification destination refused permanently",
  LKT_ERR_DELIVERY_TRANSIENT: "notification destination failed, will retry",
  LKT_ERR_DESTINATION_POLICY: "destination address refused by policy",
  LKT_ERR_NOT_FOUND: "resource not found",
  LKT_ERR_VALIDATION: "request field invalid",
  LKT_ERR_ABORTED: "operation cancelled by its caller",
  LKT_ERR_UNAVAILABLE: "a dependency (queue, bus, database) is unavailable; retry later",
  LKT_ERR_INTERNAL: "internal error",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface LookoutErrorOptions {
  cause?: unknown;
  /** True when a later attempt can succeed (network, 5xx, 429). Default false. */
  retryable?: boolean;
  /** Delay the peer asked for (Retry-After), in ms. */
  retryAfterMs?: number;
  /** HTTP status to answer with when this error reaches an HTTP boundary. */
  status?: number;
  details?: Record<string, unknown>;
}

export class LookoutError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, opts: LookoutErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "LookoutError";
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.retryAfterMs = opts.retryAfterMs;
    this.status = opts.status;
    this.details = opts.details;
  }
}

export function isLookoutError(e: unknown, code?: ErrorCode): e is LookoutError {
  return e instanceof LookoutError && (code === undefined || e.code === code);
}

/** One line describing an error and its causes, for logs and recorded scan errors. */
export function describeError(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let i = 0; cur !== undefined && cur !== null && i < 5; i++) {
    if (cur instanceof Error) {
      parts.push(cur instanceof LookoutError ? `${cur.code}: ${cur.message}` : cur.message);
      cur = (cur as { cause?: unknown }).cause;
    } else {
      parts.push(String(cur));
      break;
    }
  }
  return parts.join(": ");
}

export function assertNever(x: never, what = "value"): never {
  throw new LookoutError("LKT_ERR_INTERNAL", `unexpected ${what}: ${JSON.stringify(x)}`);
}
