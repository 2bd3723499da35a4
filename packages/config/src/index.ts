import { z } from "zod";
import { LookoutError } from "@lookout/domain";

/**
 * Helpers every service's src/config.ts builds on. A service declares one zod object over the
 * environment; `loadConfig` parses it once, lists EVERY problem (one line each, naming the
 * variable and what it expects) and returns a frozen object. Nothing else reads process.env.
 */

export type Env = Record<string, string | undefined>;

const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(v: string): number | undefined {
  const m = DURATION_RE.exec(v.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT_MS[m[2]!]!);
}

const SIZE_RE = /^(\d+)(B|KiB|MiB|GiB)?$/;
const UNIT_B: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
export function parseSize(v: string): number | undefined {
  const m = SIZE_RE.exec(v.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT_B[m[2] ?? "B"]!;
}

/** Env helpers: each returns a zod schema over the raw string with an operator-readable rule. */
export const env = {
  string: (def?: string) => (def === undefined ? z.string().min(1, "must not be empty") : z.string().default(def)),
  optionalString: () => z.string().min(1).optional(),
  url: (def?: string) => {
    const s = z.string().refine((v) => { try { new URL(v); return true; } catch { return false; } }, "must be a URL like http://host:port");
    return def === undefined ? s : s.default(def);
  },
  optionalUrl: () => z.string().refine((v) => { try { new URL(v); return true; } catch { return false; } }, "must be a URL like https://host/path").optional(),
  int: (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
    z.string().default(String(def)).transform((v, ctx) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    }),
  port: (def: number) => env.int(def, 0, 65535),
  bool: (def: boolean) =>
    z.string().default(String(def)).transform((v, ctx) => {
      const s = v.trim().toLowerCase();
      if (["1", "true", "yes", "on"].includes(s)) return true;
      if (["0", "false", "no", "off", ""].includes(s)) return false;
      ctx.addIssue({ code: "custom", message: "must be true or false" });
      return z.NEVER;
    }),
  duration: (def: string) =>
    z.string().default(def).transform((v, ctx) => {
      const ms = parseDuration(v);
      if (ms === undefined) {
        ctx.addIssue({ code: "custom", message: "must be a duration like 500ms, 30s, 5m, 1h or 7d" });
        return z.NEVER;
      }
      return ms;
    }),
  size: (def: string) =>
    z.string().default(def).transform((v, ctx) => {
      const b = parseSize(v);
      if (b === undefined) {
        ctx.addIssue({ code: "custom", message: "must be a size like 1048576, 512KiB, 1MiB or 2GiB" });
        return z.NEVER;
      }
      return b;
    }),
  enumOf: <T extends [string, ...string[]]>(values: T, def: T[number]) => z.enum(values).default(def as any),
  /** A JSON document in one variable (lists of registries, subscriptions ...). */
  json: <S extends z.ZodType>(schema: S, def: string) =>
    z.string().default(def).transform((v, ctx) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(v);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: `must be JSON (${(e as Error).message})` });
        return z.NEVER;
      }
      const r = schema.safeParse(parsed);
      if (!r.success) {
        for (const i of r.error.issues) ctx.addIssue({ code: "custom", message: `${i.path.join(".") || "(root)"}: ${i.message}` });
        return z.NEVER;
      }
      return r.data as z.infer<S>;
    }),
};

export class ConfigError extends LookoutError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super("LKT_ERR_CONFIG_INVALID", problems.join("; "));
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** Parse the environment against `shape`; throws ConfigError listing every bad variable. */
export function loadConfig<S extends z.ZodRawShape>(shape: S, source: Env): Readonly<z.infer<z.ZodObject<S>>> {
  const raw: Record<string, unknown> = {};
  for (const k of Object.keys(shape)) {
    const v = source[k];
    raw[k] = v === undefined || v === "" ? undefined : v;
  }
  const r = z.object(shape).safeParse(raw);
  if (!r.success) {
    const problems = r.error.issues.map((i) => {
      const key = String(i.path[0] ?? "(env)");
      const msg = i.code === "invalid_type" && raw[key] === undefined ? "is required" : i.message;
      const rest = i.path.slice(1).join(".");
      return `${key}${rest ? `.${rest}` : ""} ${msg}`;
    });
    throw new ConfigError(problems);
  }
  return Object.freeze(r.data) as Readonly<z.infer<z.ZodObject<S>>>;
}

/** A registry the operator configured: the only hosts Lookout ever pulls from. */
export const registrySourceSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "must be a short lower-case id like dist-prod"),
  flavour: z.string().default("distribution"),
  host: z.string().regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, "must be host or host:port, no scheme"),
  insecure: z.boolean().default(false),
  webhookToken: z.string().min(16, "must be at least 16 characters").optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  /** Path to a Docker config.json whose `auths` entry for this host holds the credentials. */
  dockerConfig: z.string().optional(),
  aliases: z.array(z.string()).default([]),
  repositories: z.array(z.string()).default([]),
});
export type RegistrySource = z.infer<typeof registrySourceSchema>;

/** Settings every service shares. */
export const commonEnv = {
  LOG_LEVEL: env.enumOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"], "info"),
  LOOKOUT_DATA_DIR: env.string("./.lookout"),
  DATABASE_URL: env.optionalUrl(),
  REDIS_URL: env.url("redis://127.0.0.1:6379"),
  NATS_URL: env.url("nats://127.0.0.1:4222"),
  /** Prefix of NATS subjects/stream and BullMQ keys: lets several installs (or tests) share servers. */
  LOOKOUT_NAMESPACE: z.string().regex(/^[a-z][a-z0-9_-]{0,30}$/, "must be lower-case letters, digits, - or _").default("lookout"),
  LOOKOUT_REGISTRIES: env.json(z.array(registrySourceSchema), "[]"),
  LOOKOUT_SHUTDOWN_GRACE: env.duration("20s"),
};

/**
 * How distro advisories are scoped to an image's release (see @lookout/matching distroScope).
 * The scanner, feed-sync's re-match and the CLI read the same variables, so a re-match never
 * disagrees with the scan it updates.
 */
export const matchScopeEnv = {
  /** Ubuntu Pro (ESM) fixes count as fixes: the images run on Pro-attached hosts. */
  LOOKOUT_UBUNTU_PRO: env.bool(false),
  /** Red Hat extended-support streams the RHEL images are entitled to, comma-separated: eus,aus,e4s,tus. */
  LOOKOUT_REDHAT_STREAMS: z.string().default("").transform((v, ctx) => {
    const list = v.split(",").map((x) => x.trim().toLowerCase()).filter(Boolean);
    const bad = list.filter((x) => !["eus", "aus", "e4s", "tus"].includes(x));
    if (bad.length > 0) {
      ctx.addIssue({ code: "custom", message: `unknown stream ${bad.join(", ")}: use eus, aus, e4s or tus` });
      return z.NEVER;
    }
    return list;
  }),
  /** SUSE LTSS fixes count as fixes (needs an LTSS subscription). */
  LOOKOUT_SUSE_LTSS: env.bool(false),
};

/** The matcher's scope options from a config holding `matchScopeEnv`. */
export function matchScopeOf(c: { LOOKOUT_UBUNTU_PRO: boolean; LOOKOUT_REDHAT_STREAMS: string[]; LOOKOUT_SUSE_LTSS: boolean }): {
  includeUbuntuPro: boolean; redHatStreams: string[]; includeSuseLtss: boolean;
} {
  return { includeUbuntuPro: c.LOOKOUT_UBUNTU_PRO, redHatStreams: c.LOOKOUT_REDHAT_STREAMS, includeSuseLtss: c.LOOKOUT_SUSE_LTSS };
}
export { z } from "zod";
