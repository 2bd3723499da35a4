import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseOsvJson } from "@lookout/advisories";
import { ingestAdvisories } from "@lookout/advisory-store";
import { sql } from "drizzle-orm";
import { rematch } from "../../rematch/index.js";
import { syncSource } from "../../sync.js";
import { count, goPkg, scalar, seedImage, silent, startHarness, testdata, type Harness } from "../../testing/harness.js";
import { nvdSource } from "./index.js";

/**
 * NVD enrichment end to end against a local server speaking the NVD API 2.0 shape (NVD is a
 * third-party service): real Go advisories that carry no CVSS, stored images with findings of
 * unknown severity, scripted NVD answers (403/429 rate limiting, 503 to exhaustion, a malformed
 * body, an unknown CVE), then the findings' severity read back from Postgres.
 */

type Reply = { status: number; body?: unknown; raw?: string; headers?: Record<string, string> };

/** A fake NVD: per CVE, a queue of replies (the last one repeats); records every request. */
class FakeNvd {
  readonly replies = new Map<string, Reply[]>();
  readonly seen: { cve: string; apiKey: string | undefined; path: string }[] = [];
  private constructor(private readonly server: Server, readonly url: string) {}
  static async start(): Promise<FakeNvd> {
    const ref: { self?: FakeNvd } = {};
    const server = createServer((req, res) => {
      const u = new URL(req.url ?? "/", "http://x");
      const cve = u.searchParams.get("cveId") ?? "";
      ref.self!.seen.push({ cve, apiKey: req.headers.apikey as string | undefined, path: u.pathname });
      const q = ref.self!.replies.get(cve) ?? [{ status: 200, body: { resultsPerPage: 0, startIndex: 0, totalResults: 0, vulnerabilities: [] } }];
      const r = q.length > 1 ? q.shift()! : q[0]!;
      res.writeHead(r.status, { "content-type": "application/json", ...r.headers });
      res.end(r.raw ?? (r.body === undefined ? "" : JSON.stringify(r.body)));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    ref.self = new FakeNvd(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return ref.self;
  }
  asked(): string[] {
    return this.seen.map((s) => s.cve);
  }
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

// SYNTHETIC answers in the NVD API 2.0 shape. The vectors are the ones NVD publishes for these
// CVEs (v3.1 7.5 HIGH, availability only); a CNA's lower "Secondary" metric is added to check
// that NVD's own wins.
const HIGH = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H";
const scored = (id: string, vector = HIGH) => ({
  status: 200,
  body: {
    resultsPerPage: 1, startIndex: 0, totalResults: 1, format: "NVD_CVE", version: "2.0", timestamp: "2026-11-29T10:00:00.000",
    vulnerabilities: [{ cve: {
      id, sourceIdentifier: "security@golang.org", published: "2023-02-28T18:15:09.987", lastModified: "2024-11-21T07:23:46.373", vulnStatus: "Modified",
      metrics: { cvssMetricV31: [
        { source: "security@golang.org", type: "Secondary", cvssData: { version: "3.1", vectorString: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L", baseScore: 3.7, baseSeverity: "LOW" } },
        { source: "nvd@nist.gov", type: "Primary", cvssData: { version: "3.1", vectorString: vector, baseScore: 7.5, baseSeverity: "HIGH" } },
      ] },
    } }],
  },
});
const unscored = (id: string) => ({ status: 200, body: { totalResults: 1, vulnerabilities: [{ cve: { id, lastModified: "2026-11-01T00:00:00.000", vulnStatus: "Awaiting Analysis", metrics: {} } }] } });

// SYNTHETIC advisories (generated) around the real ones: a package no image holds, one naming
// two CVEs (no single NVD score), one that already has a CVSS vector (never overridden).
const synthetic = (id: string, aliases: string[], extra: Record<string, unknown> = {}) => JSON.stringify({
  id, modified: "2026-01-01T00:00:00Z", aliases, ...extra,
  affected: [{ package: { ecosystem: "Go", name: `example.com/lookout-${id.toLowerCase()}` }, ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed: "1.0.0" }] }] }],
});
const LOW_VECTOR = "CVSS:3.1/AV:L/AC:H/PR:H/UI:N/S:U/C:N/I:N/A:L";

let h: Harness;
let nvd: FakeNvd;
let image: number;
const source = () => nvdSource({
  baseUrl: nvd.url, apiKey: "lookout-test-key-0001", maxRequests: 10, recheckMs: 7 * 86_400_000, enabled: true,
  rate: { limit: 2, windowMs: 400 }, backoffMs: 20, attempts: 4,
});
const finding = async (advisoryId: string) => {
  const r = await h.db.execute(sql`select severity, severity_source, score from findings where image_id = ${image} and advisory_id = ${advisoryId}`);
  return (("rows" in r ? r.rows : r) as { severity: string; severity_source: string; score: number | null }[])[0];
};
const ingest = (texts: string[]) => ingestAdvisories(h.db, (async function* () { for (const t of texts) yield { ok: parseOsvJson(t) }; })(), { sourceName: "osv:Go" });

beforeAll(async () => {
  h = await startHarness();
  nvd = await FakeNvd.start();
  await ingest([
    testdata("osv/Go/GO-2023-1571.json"), // CVE-2022-41723, golang.org/x/net
    testdata("osv/Go/GO-2021-0113.json"), // CVE-2021-38561, golang.org/x/text
    testdata("osv/Go/GO-2022-0617.withdrawn.json"), // withdrawn: never enriched
    synthetic("LKT-NVD-NOTFOUND", ["CVE-2099-0002"]),
    synthetic("LKT-NVD-BUSY", ["CVE-2099-0001"]),
    synthetic("LKT-NVD-TWO", ["CVE-2099-0003", "CVE-2099-0004"]),
    synthetic("LKT-NVD-SCORED", ["CVE-2099-0005"], { severity: [{ type: "CVSS_V3", score: LOW_VECTOR }] }),
  ]);
  image = await seedImage(h.db, "svc/api", [goPkg("golang.org/x/net", "v0.6.0"), goPkg("golang.org/x/text", "v0.3.5")]);
  await rematch({ db: h.db, log: silent }, [{ ecosystem: "Go", name: "golang.org/x/net" }, { ecosystem: "Go", name: "golang.org/x/text" }], "seed");
}, 60_000);
afterAll(async () => {
  await nvd?.close();
  await h?.close();
});

describe("NVD CVSS enrichment", () => {
  it("starts from findings without a score", async () => {
    expect(await finding("CVE-2022-41723")).toEqual({ severity: "unknown", severity_source: "none", score: null });
    expect(await finding("CVE-2021-38561")).toMatchObject({ severity: "unknown" });
  });

  it("rides out 403 and 429, skips a malformed answer, stops at a CVE NVD keeps refusing, and updates the findings' severity", async () => {
    nvd.replies.set("CVE-2022-41723", [{ status: 403 }, { status: 429, headers: { "retry-after": "0" } }, scored("CVE-2022-41723")]);
    nvd.replies.set("CVE-2021-38561", [{ status: 200, raw: '{"vulnerabilities": [ {"cve": ' }]);
    nvd.replies.set("CVE-2099-0001", [{ status: 503 }]);
    const sent: number[] = []; // when the client sends each request (the server's arrival times jitter)
    const r = await syncSource(h.deps({ fetch: (url, init) => { sent.push(Date.now()); return fetch(url, init); } }), source(), "manual");
    // Asked in order: CVEs of packages some image holds first; the unknown one; then the busy one, 4 times.
    expect(nvd.asked()).toEqual(["CVE-2022-41723", "CVE-2022-41723", "CVE-2022-41723", "CVE-2021-38561", "CVE-2099-0002", ...Array(4).fill("CVE-2099-0001")]);
    expect(nvd.seen.every((s) => s.apiKey === "lookout-test-key-0001" && s.path === "/rest/json/cves/2.0")).toBe(true);
    expect(r).toMatchObject({ status: "failed", counts: { added: 0, changed: 1, withdrawn: 0, rejected: 1 }, rematch: { images: 1 } });
    expect(r.error).toBe("LKT_ERR_FEED_FETCH: nvd: CVE-2099-0001: HTTP 503 after 4 attempts (rate limited or unavailable)");
    // No more than 2 requests in any 400 ms (the configured rolling window), retries included.
    expect(sent).toHaveLength(9);
    for (let i = 2; i < sent.length; i++) expect(sent[i]! - sent[i - 2]!).toBeGreaterThanOrEqual(398);

    expect(await finding("CVE-2022-41723")).toEqual({ severity: "high", severity_source: "cvss_v3", score: 7.5 });
    expect(await finding("CVE-2021-38561")).toMatchObject({ severity: "unknown" });
    expect(await scalar(h.db, sql`select doc->'severity'->0->>'score' from advisories where id = 'GO-2023-1571'`)).toBe(HIGH);
    expect(await scalar(h.db, sql`select doc->'severity'->0->>'source' from advisories where id = 'GO-2023-1571'`)).toBe("nvd@nist.gov");
    expect(await count(h.db, sql`select count(*) as n from nvd_cves`)).toBe(2); // scored + not_found; malformed and refused are not remembered
    const runs = await h.db.execute(sql`select status, changed, rejected from feed_sync_runs where source = 'nvd'`);
    expect(("rows" in runs ? runs.rows : runs)).toEqual([{ status: "failed", changed: 1, rejected: 1 }]);
  });

  it("next run asks only what it does not know yet, and never about scored, withdrawn or multi-CVE advisories", async () => {
    nvd.seen.length = 0;
    nvd.replies.set("CVE-2021-38561", [scored("CVE-2021-38561")]);
    nvd.replies.set("CVE-2099-0001", [unscored("CVE-2099-0001")]);
    const r = await syncSource(h.deps(), source(), "manual");
    expect(nvd.asked()).toEqual(["CVE-2021-38561", "CVE-2099-0001"]);
    expect(r).toMatchObject({ status: "succeeded", counts: { changed: 1, rejected: 0 } });
    expect(await finding("CVE-2021-38561")).toEqual({ severity: "high", severity_source: "cvss_v3", score: 7.5 });
    // The advisory's own (low) vector is kept as it was.
    expect(await scalar(h.db, sql`select jsonb_array_length(doc->'severity') from advisories where id = 'LKT-NVD-SCORED'`)).toBe(1);
    expect(await scalar(h.db, sql`select status from nvd_cves where cve_id = 'CVE-2099-0001'`)).toBe("unscored");

    nvd.seen.length = 0;
    expect(await syncSource(h.deps(), source(), "manual")).toMatchObject({ status: "unchanged", counts: { changed: 0 } });
    expect(nvd.asked()).toEqual([]);
  });

  it("re-applies a stored score, without asking NVD, when a feed rewrites the advisory", async () => {
    nvd.seen.length = 0;
    // SYNTHETIC change of the real record (a new modified time): the ingest replaces its stored document.
    const changed = JSON.parse(testdata("osv/Go/GO-2023-1571.json"));
    changed.modified = "2026-11-29T00:00:00Z";
    expect((await ingest([JSON.stringify(changed)])).changed).toBe(1);
    expect(await scalar(h.db, sql`select coalesce(jsonb_array_length(doc->'severity'), 0) from advisories where id = 'GO-2023-1571'`)).toBe(0);
    const r = await syncSource(h.deps(), source(), "manual");
    expect(r).toMatchObject({ status: "succeeded", counts: { changed: 1 } });
    expect(nvd.asked()).toEqual([]);
    expect(await finding("CVE-2022-41723")).toMatchObject({ severity: "high", score: 7.5 });
  });
});
