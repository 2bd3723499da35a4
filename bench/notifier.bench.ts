/**
 * Notifier benchmark: scan events fanned out to S webhook subscriptions against a local
 * receiver, notifier + api in one process on real Postgres/Redis/NATS. Prints JSON.
 *
 * - burst: E events published at once (E×S deliveries): deliveries per second from the first
 *   publish to the last arrival. Bounded: stops after BENCH_NOTIFIER_MAX_S and reports what
 *   arrived (`complete: false`), so the run stays under 2 minutes on a slow machine.
 * - paced: P events at one every BENCH_NOTIFIER_PACE_MS on a fresh system: p50/p99
 *   event→delivery latency (event time to arrival at the receiver) below saturation. In the
 *   burst, latency is mostly queueing, so its figures are reported separately.
 *
 * Env: BENCH_NOTIFIER_EVENTS (1000), BENCH_NOTIFIER_SUBS (100), BENCH_NOTIFIER_MAX_S (60),
 * BENCH_NOTIFIER_PACED_EVENTS (20), BENCH_NOTIFIER_PACE_MS (1000), BENCH_NOTIFIER_CONCURRENCY (32).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg } from "node:os";
import { encodeEvent } from "@lookout/domain";
import { startSystem, type System } from "../test/support/system.js";

const num = (k: string, d: number) => Number(process.env[k] ?? d);
const EVENTS = num("BENCH_NOTIFIER_EVENTS", 1000);
const SUBS = num("BENCH_NOTIFIER_SUBS", 100);
const MAX_S = num("BENCH_NOTIFIER_MAX_S", 60);
const PACED = num("BENCH_NOTIFIER_PACED_EVENTS", 20);
const PACE_MS = num("BENCH_NOTIFIER_PACE_MS", 1000);
const CONCURRENCY = num("BENCH_NOTIFIER_CONCURRENCY", 32);
const SECRET = `whsec_${Buffer.from("bench-signing-secret-0123456789abcdef").toString("base64")}`;

/** Publish, retried on a JetStream timeout (a loaded machine); the message id makes a retry a no-op. */
async function publish(sys: System, env: Parameters<System["infra"]["bus"]["publish"]>[1]) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await sys.infra.bus.publish("scanCompleted", env as never);
    } catch (e) {
      if (attempt >= 5) throw e;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

async function phase(events: number, paceMs: number, capS: number) {
  const latencies: number[] = [];
  let last = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => (done = r));
  // A minimal receiver: keeps no body, only the event time the body carries.
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const now = Date.now();
      const m = /"timestamp":"([^"]+)"/.exec(Buffer.concat(chunks).toString("utf8"));
      if (m) latencies.push(now - Date.parse(m[1]!));
      last = now;
      res.writeHead(200).end();
      if (latencies.length >= events * SUBS) done();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sys = await startSystem({
    registries: [], services: ["notifier", "api"],
    extraEnv: { NOTIFIER_CONCURRENCY: String(CONCURRENCY), NOTIFIER_RATE_PER_MINUTE: "100000" },
  });
  try {
    for (let i = 0; i < SUBS; i++) {
      const r = await fetch(`${sys.urls.api}/api/v1/subscriptions`, {
        method: "POST",
        headers: { authorization: `Bearer ${sys.apiToken}`, "content-type": "application/json" },
        body: JSON.stringify({ name: `bench-${i}`, channel: "webhook", destination: { url: `${url}/s${i}`, secret: SECRET } }),
      });
      if (r.status !== 201) throw new Error(`subscribe: ${r.status} ${await r.text()}`);
    }
    const t0 = Date.now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < events; i++) {
      const digest = `sha256:${i.toString(16).padStart(64, "0")}`;
      await publish(sys, encodeEvent("scanCompleted", "bench", {
        scanId: `s${i}`, image: { registry: "registry.test", repository: `bench/app-${i % 10}`, digest, tag: `v${i}` },
        status: "succeeded", packageCount: 100, findingCount: 1, severityCounts: { high: 1 }, durationMs: 10,
        topFindings: [{ advisoryId: "GHSA-whgm-jr23-g3j9", packageName: "ansi-html", installedVersion: "0.0.7", fixedVersion: "0.0.8", severity: "high" }],
      }));
      if (paceMs) await new Promise((r) => setTimeout(r, paceMs));
    }
    // The cap counts from the first publish, so a slow publish cannot stretch the run.
    await Promise.race([finished, new Promise((r) => setTimeout(r, Math.max(0, t0 + capS * 1000 - Date.now())))]);
    const cpu = process.cpuUsage(cpu0);
    const n = latencies.length;
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(n - 1, Math.floor(p * n))] ?? null;
    const seconds = ((last || Date.now()) - t0) / 1000;
    return {
      events, subscriptions: SUBS, expected: events * SUBS, delivered: n, complete: n >= events * SUBS,
      seconds: Number(seconds.toFixed(1)), deliveriesPerSecond: Math.round(n / seconds),
      p50LatencyMs: q(0.5), p99LatencyMs: q(0.99), maxLatencyMs: q(1),
      // CPU of this process (notifier + api + receiver) per delivery; Postgres/Redis/NATS not included.
      cpuMsPerDelivery: n ? Number(((cpu.user + cpu.system) / 1000 / n).toFixed(2)) : null,
    };
  } finally {
    await sys.stop();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

export async function benchNotifier() {
  const burst = await phase(EVENTS, 0, MAX_S);
  const paced = await phase(PACED, PACE_MS, 30);
  return {
    name: "notifier fan-out", concurrency: CONCURRENCY, loadAverage1m: Number(loadavg()[0]!.toFixed(1)),
    deliveriesPerSecond: burst.deliveriesPerSecond, p99LatencyMs: paced.p99LatencyMs, burst, paced,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchNotifier()));
  process.exit(0);
}
