/**
 * Pipeline latency: from the registry's manifest-push notification reaching the webhook to the
 * Slack receiver getting the message, over N real pushes (docker-registry + skopeo), all
 * services in one process on real Postgres/Redis/NATS. Prints JSON.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, pushWithSkopeo, startReceiver, startRegistry, writeOciLayout } from "@lookout/testkit";
import { startSystem } from "../test/support/system.js";

const N = Number(process.env.BENCH_PUSHES ?? 20);
const TOKEN = "bench-webhook-token-0123456789";

export async function benchPipeline() {
  const work = await mkdtemp(join(tmpdir(), "lk-bench-"));
  const slack = await startReceiver({ path: "/services/T/B/X" });
  const port = await freePort();
  const sys = await startSystem({ registries: [{ id: "local", host: `127.0.0.1:${port}`, insecure: true, webhookToken: TOKEN }], slackUrl: slack.url });
  const arrivals = new Map<string, number>(); // manifest digest → notification arrival
  const relay = await startReceiver();
  const registry = await startRegistry({ port, notify: { url: relay.url, token: TOKEN } });
  let forwarded = 0;
  let running = true;
  const pump = (async () => {
    while (running) {
      await relay.waitFor(forwarded + 1, 1_000).catch(() => undefined);
      for (; forwarded < relay.received.length; forwarded++) {
        const r = relay.received[forwarded]!;
        const ev = (r.json as any)?.events?.[0];
        if (ev?.action === "push" && ev.target?.mediaType?.includes("manifest")) arrivals.set(ev.target.digest, r.at);
        await fetch(`${sys.urls.webhook}/hooks/local`, { method: "POST", headers: { authorization: String(r.headers.authorization), "content-type": String(r.headers["content-type"]) }, body: r.body });
      }
    }
  })();
  const latencies: number[] = [];
  try {
    for (let i = 0; i < N; i++) {
      const dir = join(work, `img${i}`);
      const { manifestDigest } = await writeOciLayout(dir, "v1", { layers: [{ files: { "etc/os-release": 'ID=debian\nVERSION_ID="12"\n', [`f${i}.txt`]: `push ${i} ${Date.now()}` } }] });
      await pushWithSkopeo(dir, "v1", `${registry.host}/bench/app:v${i}`);
      await slack.waitFor(i + 1, 30_000);
      const got = slack.received[i]!;
      const sent = arrivals.get(manifestDigest);
      if (sent !== undefined && JSON.stringify(got.json).includes(manifestDigest.slice(7, 19))) latencies.push(got.at - sent);
    }
  } finally {
    running = false;
    await pump;
    await registry.stop();
    await sys.stop();
    await slack.close();
    await relay.close();
    await rm(work, { recursive: true, force: true });
  }
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return { name: "pipeline push→slack", pushes: N, measured: latencies.length, medianMs: q(0.5), p95Ms: q(0.95), maxMs: latencies.at(-1) };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await benchPipeline(), null, 1));
