import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

const USAGE = `usage: lookout subscriptions <list|add|rm|pause> [options]
  list [--json]
  add --name NAME --channel slack|email|webhook
      slack:   --url INCOMING_WEBHOOK_URL
      email:   --to ADDRESS [--to ADDRESS ...]
      webhook: --url URL [--secret whsec_...] [--format standard|cloudevents]
               (without --secret one is generated and printed once)
      filter:  [--repo GLOB ...] [--min-severity SEV] [--only-fixable] [--only-new] [--kind KIND ...]
      cadence: [--digest MINUTES]   (default: immediately)
  rm ID
  pause ID [--resume]
environment: LOOKOUT_API_URL (default http://127.0.0.1:8080), LOOKOUT_API_TOKEN
  (default: the token file the api generated in LOOKOUT_DATA_DIR)
`;

interface Io {
  env: Record<string, string | undefined>;
  out: (s: string) => void;
  err: (s: string) => void;
  fetch: typeof fetch;
}

function tokenFrom(env: Io["env"]): string | undefined {
  if (env.LOOKOUT_API_TOKEN) return env.LOOKOUT_API_TOKEN;
  const file = join(env.LOOKOUT_DATA_DIR ?? "./.lookout", "api.token");
  return existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
}

async function call(io: Io, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const base = (io.env.LOOKOUT_API_URL ?? "http://127.0.0.1:8080").replace(/\/$/, "");
  const token = tokenFrom(io.env);
  if (!token) throw new Error("no API token: set LOOKOUT_API_TOKEN");
  const r = await io.fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await r.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = { error: { message: text.slice(0, 200) } };
  }
  if (r.status >= 400) throw new Error(`api: ${r.status} ${json?.error?.message ?? ""}`.trim());
  return { status: r.status, json };
}

function describe(s: any): string {
  const dest = s.publicDestination?.to ? s.publicDestination.to.join(",") : (s.publicDestination?.host ?? "");
  const cadence = s.cadence?.mode === "digest" ? `digest/${s.cadence.everyMinutes}m` : "immediate";
  const state = s.paused ? `paused (${s.pausedReason ?? ""})` : "active";
  return [s.id, s.name, s.channel, dest, cadence, state].join("\t");
}

function addBody(args: string[]): { body: Record<string, unknown>; generatedSecret?: string } {
  const { values } = parseArgs({
    args, strict: true,
    options: {
      name: { type: "string" }, channel: { type: "string" }, url: { type: "string" }, to: { type: "string", multiple: true },
      secret: { type: "string" }, format: { type: "string" }, repo: { type: "string", multiple: true },
      "min-severity": { type: "string" }, "only-fixable": { type: "boolean" }, "only-new": { type: "boolean" },
      kind: { type: "string", multiple: true }, digest: { type: "string" },
    },
  });
  if (!values.name || !values.channel) throw new Error("add needs --name and --channel");
  let generatedSecret: string | undefined;
  let destination: Record<string, unknown>;
  if (values.channel === "email") destination = { to: values.to ?? [] };
  else if (values.channel === "webhook") {
    generatedSecret = values.secret ? undefined : `whsec_${randomBytes(32).toString("base64")}`;
    destination = { url: values.url, secret: values.secret ?? generatedSecret, ...(values.format ? { format: values.format } : {}) };
  } else destination = { url: values.url };
  const filter: Record<string, unknown> = {
    ...(values.repo ? { repositories: values.repo } : {}),
    ...(values["min-severity"] ? { minSeverity: values["min-severity"] } : {}),
    ...(values["only-fixable"] ? { onlyFixable: true } : {}),
    ...(values["only-new"] ? { onlyNew: true } : {}),
    ...(values.kind ? { kinds: values.kind } : {}),
  };
  const cadence = values.digest ? { mode: "digest", everyMinutes: Number(values.digest) } : { mode: "immediate" };
  const body = { name: values.name, channel: values.channel, destination, filter, cadence };
  return generatedSecret ? { body, generatedSecret } : { body };
}

/** `lookout subscriptions …`: manage notification subscriptions through the api service. */
export async function subscriptionsCommand(args: string[], io: Io = { env: process.env, out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), fetch }): Promise<number> {
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case "list": {
        const { json } = await call(io, "GET", "/api/v1/subscriptions");
        if (rest.includes("--json")) io.out(JSON.stringify(json.items, null, 2) + "\n");
        else for (const s of json.items) io.out(describe(s) + "\n");
        return 0;
      }
      case "add": {
        const { body, generatedSecret } = addBody(rest);
        const { json } = await call(io, "POST", "/api/v1/subscriptions", body);
        io.out(`${json.id}\n`);
        if (generatedSecret) io.err(`signing secret (shown once, give it to the receiver): ${generatedSecret}\n`);
        return 0;
      }
      case "rm":
      case "pause": {
        const id = rest.find((a) => !a.startsWith("--"));
        if (!id) throw new Error(`${sub} needs a subscription id`);
        if (sub === "rm") await call(io, "DELETE", `/api/v1/subscriptions/${encodeURIComponent(id)}`);
        else await call(io, "POST", `/api/v1/subscriptions/${encodeURIComponent(id)}/pause`, { paused: !rest.includes("--resume") });
        io.out(`${sub === "rm" ? "removed" : rest.includes("--resume") ? "resumed" : "paused"} ${id}\n`);
        return 0;
      }
      default:
        io.err(USAGE);
        return 2;
    }
  } catch (e) {
    io.err(`lookout subscriptions: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
