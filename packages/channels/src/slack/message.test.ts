import { describe, expect, it } from "vitest";
import { HOSTILE, REAL_FINDINGS, sampleImage, sampleNotification } from "../test-notifications.js";
import type { NotificationFinding } from "../notification.js";
import { classifySlackResponse } from "./errors.js";
import { escapeText, link, safeUrl } from "./escape.js";
import { buildSlackMessage, SLACK_LIMITS, type SlackBlock } from "./message.js";

const texts = (blocks: SlackBlock[]) =>
  blocks.flatMap((b) => (b.type === "divider" ? [] : b.type === "context" ? b.elements.map((e) => e.text) : [b.text.text]));

describe("slack escaping", () => {
  it("escapes control characters and defuses mentions", () => {
    expect(escapeText("a & b <c> <!channel> @here")).toBe("a &amp; b &lt;c&gt; &lt;!channel&gt; @\u2060here");
  });
  it("links only http(s) URLs and cannot be broken out of", () => {
    expect(link(HOSTILE.badUrl, "x")).toBe("x");
    const l = link(HOSTILE.url, "CVE");
    expect(l.startsWith("<https://osv.dev/vulnerability/x%7C%3C!channel%3E|CVE>")).toBe(true);
    expect(safeUrl("https://a.test/?q=1&r=2")).toBe("https://a.test/?q=1&amp;r=2");
  });
});

describe("buildSlackMessage", () => {
  it("renders header, counts, top findings with installed → fixed and advisory links, report link", () => {
    const m = buildSlackMessage(sampleNotification());
    expect(m.blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: "team-a/api:1.4.2 · sha256:ab12ab12ab12", emoji: false } });
    const all = texts(m.blocks).join("\n");
    expect(all).toContain("*High:* 1");
    expect(all).toContain("*Low:* 1");
    expect(all).toContain("<https://osv.dev/vulnerability/GHSA-whgm-jr23-g3j9|GHSA-whgm-jr23-g3j9> `ansi-html` `0.0.7` → `0.0.8`");
    expect(all).toContain("`openssl` `1.1.0l-1~deb9u5` → `1.1.0l-1~deb9u6`");
    expect(all).toContain("|View full report>");
    // Most severe first: the HIGH ansi-html line precedes the LOW formidable line.
    expect(all.indexOf("ansi-html")).toBeLessThan(all.indexOf("formidable"));
    expect(m.text).toBe("New vulnerabilities: team-a/api:1.4.2 (sha256:ab12ab12ab12): 1 high, 1 low, 2 unknown");
  });

  it("escapes hostile repository, tag, package and version strings everywhere", () => {
    const img = sampleImage({
      repository: HOSTILE.repository,
      tags: [HOSTILE.tag, "x"],
      findings: [{ advisoryId: HOSTILE.advisoryId, url: HOSTILE.url, packageName: HOSTILE.packageName, installedVersion: HOSTILE.version, severity: "critical" }],
      error: undefined,
    });
    const m = buildSlackMessage(sampleNotification({ images: [img, sampleImage()], kind: "digest" }));
    const all = [m.text, ...texts(m.blocks)].join("\n");
    // No raw mention or link token from input survives: every '<' in output opens one of OUR links.
    expect(all).not.toMatch(/<!(channel|here|everyone)/);
    expect(all).not.toMatch(/<@U/);
    expect(all).not.toMatch(/<https:\/\/phish/);
    expect(all).not.toMatch(/(^|[^\u2060])@(channel|here|everyone)/);
    for (const m2 of all.matchAll(/</g)) expect(all.slice(m2.index, m2.index + 9)).toMatch(/^<https:\/\//);
    expect(all).toContain("evil/&lt;!channel&gt;&amp;&lt;https://phish.test|click&gt;");
  });

  it("stays within Slack limits for a huge digest and says how much was left out", () => {
    const many: NotificationFinding[] = Array.from({ length: 400 }, (_, i) => ({ ...REAL_FINDINGS[i % 4]!, packageName: `pkg-${i}-${"x".repeat(80)}` }));
    const images = Array.from({ length: 60 }, (_, i) => sampleImage({ repository: `team/app-${i}`, tags: [`v${i}`], findings: many, findingCount: 900 }));
    const m = buildSlackMessage(sampleNotification({ kind: "digest", images }), { maxFindingsPerImage: 50 });
    expect(m.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    for (const b of m.blocks) {
      if (b.type === "header") expect(b.text.text.length).toBeLessThanOrEqual(150);
      if (b.type === "section") expect(b.text.text.length).toBeLessThanOrEqual(3000);
    }
    const total = texts(m.blocks).reduce((a, t) => a + t.length, 0);
    expect(total).toBeLessThanOrEqual(SLACK_LIMITS.totalText);
    const all = texts(m.blocks).join("\n");
    expect(all).toMatch(/and \d+ more images/);
    expect(all).toMatch(/and \d+ more ·/);
  });

  it("lists at most maxFindingsPerImage findings and counts the rest as 'and N more'", () => {
    const m = buildSlackMessage(sampleNotification({ images: [sampleImage({ findingCount: 40 })] }), { maxFindingsPerImage: 2 });
    const all = texts(m.blocks).join("\n");
    expect(all.match(/^• /gm)).toHaveLength(2);
    expect(all).toContain("and 38 more");
  });

  it("truncates an over-long header to 150 characters", () => {
    const m = buildSlackMessage(sampleNotification({ images: [sampleImage({ repository: "r/" + "a".repeat(300) })] }));
    const h = m.blocks[0]!;
    expect(h.type === "header" && h.text.text.length).toBe(150);
  });
});

describe("classifySlackResponse", () => {
  const res = (status: number, body: string, headers: Record<string, string> = {}) => ({ status, body, headers });
  it.each([
    [200, "ok", true, undefined],
    [400, "invalid_payload", false, true],
    [404, "channel_not_found", false, true],
    [410, "channel_is_archived", false, true],
    [403, "no_service", false, true],
    [408, "", false, false],
    [500, "rollup_error", false, false],
    [503, "", false, false],
    [400, "something_new", false, true],
  ])("HTTP %s %s → ok=%s permanent=%s", (status, body, ok, perm) => {
    const r = classifySlackResponse(res(status, body));
    expect(r.ok).toBe(ok);
    if (!r.ok) expect(r.permanent).toBe(perm);
  });
  it("429 honours Retry-After", () => {
    const r = classifySlackResponse(res(429, "rate_limited", { "retry-after": "7" }));
    expect(r).toMatchObject({ ok: false, permanent: false, retryAfterMs: 7000, status: 429 });
  });
});
