import { randomBytes } from "node:crypto";
import { encodeEvent, type Severity } from "@lookout/domain";
import { REAL_FINDINGS } from "@lookout/channels/testing";
import { freePort, waitUntil } from "@lookout/testkit";
import { startSystem, type System } from "../../../test/support/system.js";

/**
 * Test-only helpers for the notifier's integration tests (not exported by the package): a
 * system with the notifier and api services, the api client, and scan events whose findings
 * come from the real OSV records the channels package tests with.
 */

export interface Finding {
  advisoryId: string;
  packageName: string;
  installedVersion: string;
  fixedVersion?: string;
  severity: Severity;
  url?: string;
}

/** The channels package's findings built from real OSV records, by advisory id. */
function finding(id: string): Finding {
  const f = REAL_FINDINGS.find((x) => x.advisoryId === id);
  if (!f) throw new Error(`no test finding ${id}`);
  return { ...f };
}

/** ansi-html (high, fixable), formidable (low, fixable), openssl (unknown, fixable), libxml2 (unknown). */
export const FINDINGS = {
  high: finding("GHSA-whgm-jr23-g3j9"),
  low: finding("GHSA-75v8-2h7p-7m2m"),
  unknown: finding("DLA-3008-1"),
  // As a scanner reports it before the fix was known: no fixed version.
  unfixed: (({ fixedVersion: _f, ...rest }) => rest)(finding("DLA-3012-1")),
};
export const ALL_FINDINGS: Finding[] = Object.values(FINDINGS);

export const newDigest = () => `sha256:${randomBytes(32).toString("hex")}`;

export interface ScanOpts {
  repository: string;
  tag?: string;
  digest?: string;
  findings?: Finding[];
  status?: "succeeded" | "failed";
  id?: string;
}

export function scanEvent(o: ScanOpts) {
  const findings = o.findings ?? ALL_FINDINGS;
  const severityCounts: Record<string, number> = {};
  for (const f of findings) severityCounts[f.severity] = (severityCounts[f.severity] ?? 0) + 1;
  return encodeEvent("scanCompleted", "lookout/scanner", {
    scanId: randomBytes(8).toString("hex"),
    image: { registry: "registry.test:5000", repository: o.repository, digest: o.digest ?? newDigest(), ...(o.tag ? { tag: o.tag } : {}) },
    status: o.status ?? "succeeded",
    ...(o.status === "failed" ? { error: "manifest unknown" } : {}),
    packageCount: 42, findingCount: findings.length, severityCounts, durationMs: 120, topFindings: findings,
  }, o.id ? { id: o.id } : {});
}

export interface Harness {
  sys: System;
  apiUrl: string;
  api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Creates a subscription, expecting 201; returns its id. */
  subscribe(input: Record<string, unknown>): Promise<string>;
  deliveries(subscriptionId: string): Promise<any[]>;
  /** Waits until the subscription's delivery for `eventId` has one of these statuses. */
  deliveryOf(subscriptionId: string, eventId: string, statuses: string[], timeoutMs?: number): Promise<any>;
  publishScan(o: ScanOpts): Promise<string>;
  stop(): Promise<void>;
}

export async function startHarness(opts: { notifier?: boolean; extraEnv?: Record<string, string> } = {}): Promise<Harness> {
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const sys = await startSystem({
    registries: [],
    services: opts.notifier === false ? ["api"] : ["notifier", "api"],
    extraEnv: {
      API_PORT: String(apiPort), LOOKOUT_PUBLIC_URL: apiUrl,
      NOTIFIER_HTTP_TIMEOUT_MS: "2000", NOTIFIER_RATE_PER_MINUTE: "100000", NOTIFIER_CONCURRENCY: "8",
      ...opts.extraEnv,
    },
  });
  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${sys.apiToken}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined };
  };
  const deliveries = async (id: string) => (await api("GET", `/api/v1/deliveries?subscriptionId=${id}&limit=1000`)).body.items as any[];
  return {
    sys, apiUrl, api, deliveries,
    async subscribe(input) {
      const r = await api("POST", "/api/v1/subscriptions", input);
      if (r.status !== 201) throw new Error(`subscribe: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.id as string;
    },
    deliveryOf: (id, eventId, statuses, timeoutMs = 30_000) =>
      waitUntil(async () => (await deliveries(id)).find((d) => d.eventId === eventId && statuses.includes(d.status)), `delivery ${eventId} ${statuses.join("|")}`, timeoutMs, 100),
    async publishScan(o) {
      const env = scanEvent(o);
      await sys.infra.bus.publish("scanCompleted", env);
      return env.id;
    },
    stop: () => sys.stop(),
  };
}

export const WEBHOOK_SECRET = `whsec_${Buffer.from("lookout-test-signing-secret-0123456789").toString("base64")}`;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
