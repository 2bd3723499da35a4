import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notificationIdFor } from "@lookout/channels";
import { startHttpReceiver, type FakeHttpReceiver } from "@lookout/channels/testing";
import { waitUntil } from "@lookout/testkit";
import { FINDINGS, newDigest, sleep, startHarness, WEBHOOK_SECRET, type Harness } from "./test-support.js";

let h: Harness;
let rx: FakeHttpReceiver;
beforeAll(async () => {
  rx = await startHttpReceiver();
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
  await rx?.close();
});

const FILTERS = {
  all: { repositories: ["flt/*"] },
  high: { repositories: ["flt/*"], minSeverity: "high" },
  fixable: { repositories: ["flt/*"], onlyFixable: true },
  onlyNew: { repositories: ["flt/*"], onlyNew: true },
  glob: { repositories: ["flt/api-*"] },
  failed: { repositories: ["flt/*"], kinds: ["scan.failed"] },
} as const;
type Name = keyof typeof FILTERS;

describe("subscription filters", () => {
  it("minSeverity, onlyFixable, onlyNew, repository globs and kinds select what each subscription gets", async () => {
    const subs = {} as Record<Name, string>;
    for (const [name, filter] of Object.entries(FILTERS)) {
      subs[name as Name] = await h.subscribe({ name, channel: "webhook", destination: { url: `${rx.url}/f/${name}`, secret: WEBHOOK_SECRET }, filter });
    }
    const d1 = newDigest();
    const waitAll = (n: number) => waitUntil(async () => rx.on("/f/all").length >= n, `${n} events to the catch-all`, 30_000);
    // Sequenced so onlyNew's "already told" state is deterministic.
    const e1 = await h.publishScan({ repository: "flt/api-1", tag: "v1", digest: d1, findings: [FINDINGS.high, FINDINGS.low] });
    const e2 = await h.publishScan({ repository: "flt/web", tag: "v1", findings: [FINDINGS.low, FINDINGS.unfixed] });
    await waitAll(2);
    const e3 = await h.publishScan({ repository: "flt/api-1", tag: "v2", digest: d1, findings: [FINDINGS.high, FINDINGS.low, FINDINGS.unknown] });
    await waitAll(3);
    const e4 = await h.publishScan({ repository: "flt/api-1", tag: "v2", digest: d1, findings: [FINDINGS.high, FINDINGS.low, FINDINGS.unknown] });
    const e5 = await h.publishScan({ repository: "flt/api-1", tag: "v3", status: "failed", findings: [] });
    await waitAll(5);

    const expected: Record<Name, Record<string, string[] | "failed">> = {
      all: { [e1]: ["high", "low"], [e2]: ["low", "unfixed"], [e3]: ["high", "low", "unknown"], [e4]: ["high", "low", "unknown"], [e5]: "failed" },
      high: { [e1]: ["high"], [e3]: ["high"], [e4]: ["high"], [e5]: "failed" },
      fixable: { [e1]: ["high", "low"], [e2]: ["low"], [e3]: ["high", "low", "unknown"], [e4]: ["high", "low", "unknown"], [e5]: "failed" },
      // the second identical finding is not sent again; e4 had nothing new at all
      onlyNew: { [e1]: ["high", "low"], [e2]: ["low", "unfixed"], [e3]: ["unknown"], [e5]: "failed" },
      glob: { [e1]: ["high", "low"], [e3]: ["high", "low", "unknown"], [e4]: ["high", "low", "unknown"], [e5]: "failed" },
      failed: { [e5]: "failed" },
    };
    const label = new Map(Object.entries(FINDINGS).map(([k, f]) => [f.advisoryId, k]));
    for (const name of Object.keys(FILTERS) as Name[]) {
      await waitUntil(async () => rx.on(`/f/${name}`).length >= Object.keys(expected[name]).length, `${name} deliveries`, 30_000);
    }
    await sleep(2000); // anything wrongly let through would have arrived by now
    for (const name of Object.keys(FILTERS) as Name[]) {
      const got: Record<string, string[] | "failed"> = {};
      for (const r of rx.on(`/f/${name}`)) {
        const body = JSON.parse(r.body.toString());
        const event = Object.values({ e1, e2, e3, e4, e5 }).find((e) => notificationIdFor(subs[name], e) === r.headers["webhook-id"])!;
        got[event] = body.type === "image.scan.failed" ? "failed" : body.data.images[0].findings.map((f: any) => label.get(f.advisoryId)).sort();
      }
      const want = Object.fromEntries(Object.entries(expected[name]).map(([k, v]) => [k, v === "failed" ? v : [...v].sort()]));
      expect(got, name).toEqual(want);
    }
  });
});
