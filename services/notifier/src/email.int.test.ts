import { simpleParser, type ParsedMail } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notificationIdFor } from "@lookout/channels";
import { startSmtpReceiver, type FakeSmtpReceiver } from "@lookout/channels/testing";
import { waitUntil } from "@lookout/testkit";
import { FINDINGS, sleep, startHarness, type Harness } from "./test-support.js";

// The notifier sending to a real SMTP server (smtp-server), and the api's one-click unsubscribe.
let h: Harness;
let smtp: FakeSmtpReceiver;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  h = await startHarness({ extraEnv: { SMTP_HOST: smtp.host, SMTP_PORT: String(smtp.port), SMTP_FROM: "Lookout <alerts@mail.test>" } });
});
afterAll(async () => {
  await h?.stop();
  await smtp?.close();
});

const header = (m: ParsedMail, name: string) => {
  const l = m.headerLines.find((x) => x.key === name);
  return l?.line.slice(l.line.indexOf(":") + 1).trim();
};

describe("email over SMTP", () => {
  it("sends multipart text+html with a stable Message-ID, threading and List-Unsubscribe; POST unsubscribes, GET does not", async () => {
    const sub = await h.subscribe({ name: "mail", channel: "email", destination: { to: ["team@rcpt.test"] }, filter: { repositories: ["mail/*"] } });
    const digest = "sha256:" + "5e".repeat(32);
    const e1 = await h.publishScan({ repository: "mail/app", tag: "v1", digest });
    const e2 = await h.publishScan({ repository: "mail/app", tag: "v2", digest, findings: [FINDINGS.high] });
    await waitUntil(async () => smtp.mails.length >= 2, "two mails", 30_000);
    const parsed = await Promise.all(smtp.mails.map((m) => simpleParser(m.raw)));
    const byId = new Map(parsed.map((m) => [m.messageId, m]));
    const m1 = byId.get(`<${notificationIdFor(sub, e1)}@mail.test>`)!;
    const m2 = byId.get(`<${notificationIdFor(sub, e2)}@mail.test>`)!;
    expect(m1).toBeDefined();
    expect(m2).toBeDefined();
    expect(smtp.mails[0]!.to).toEqual(["team@rcpt.test"]);
    // multipart/alternative: text first, HTML last
    const types = [...smtp.mails[0]!.raw.toString("latin1").matchAll(/^Content-Type: ([a-z]+\/[a-z-]+)/gim)].map((x) => x[1]!.toLowerCase());
    expect(types).toEqual(["multipart/alternative", "text/plain", "text/html"]);
    for (const fact of [FINDINGS.high.advisoryId, FINDINGS.high.packageName, FINDINGS.high.fixedVersion!, "mail/app"]) {
      expect(m1.text).toContain(fact);
      expect(m1.html).toContain(fact);
    }
    // Same image: same thread.
    expect(m1.inReplyTo).toMatch(/^<image-[0-9a-f]{32}@mail\.test>$/);
    expect(m2.inReplyTo).toBe(m1.inReplyTo);

    const unsub = header(m1, "list-unsubscribe")!;
    const url = /^<(http:\/\/127\.0\.0\.1:\d+\/unsubscribe\/[A-Za-z0-9_-]+)>$/.exec(unsub)?.[1];
    expect(url).toBeDefined();
    expect(url!.startsWith(h.apiUrl)).toBe(true);

    // GET (what link scanners do) shows a page and changes nothing.
    const page = await fetch(url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('method="post"');
    expect((await h.api("GET", `/api/v1/subscriptions/${sub}`)).body.paused).toBe(false);

    // A forged token is refused.
    expect((await fetch(url!.replace(/.{6}$/, "AAAAAA"), { method: "POST" })).status).toBe(404);

    // RFC 8058 one-click POST.
    const post = await fetch(url!, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
    expect(post.status).toBe(200);
    const after = (await h.api("GET", `/api/v1/subscriptions/${sub}`)).body;
    expect(after).toMatchObject({ paused: true, pausedReason: expect.stringMatching(/List-Unsubscribe/) });

    // Nothing more is sent to it.
    const before = smtp.mails.length;
    await h.publishScan({ repository: "mail/app", tag: "v3" });
    await sleep(2500);
    expect(smtp.mails.length).toBe(before);
  });
});
