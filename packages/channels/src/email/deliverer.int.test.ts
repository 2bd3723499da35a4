import { simpleParser, type ParsedMail } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDelivererConformance } from "../conformance.js";
import type { Notification } from "../notification.js";
import { HOSTILE, sampleImage, sampleNotification } from "../test-notifications.js";
import { startSmtpReceiver, type FakeSmtpReceiver, type ReceivedMail } from "../testing/smtp-receiver.js";
import { createEmailDeliverer } from "./deliverer.js";

const FROM = "Lookout <alerts@mail.test>";
const UNSUB = "https://lookout.test/u/opaque-token";

/** Raw header value as sent (mailparser folds List-* headers into a structured `list` entry). */
function header(m: ParsedMail, name: string): string | undefined {
  const l = m.headerLines.find((h) => h.key === name);
  return l?.line.slice(l.line.indexOf(":") + 1).trim();
}

/** Top-level structure: multipart/alternative with text/plain first and text/html last. */
function partTypes(raw: Buffer): string[] {
  const s = raw.toString("latin1");
  return [...s.matchAll(/^Content-Type: ([a-z]+\/[a-z-]+)/gim)].map((m) => m[1]!.toLowerCase());
}

runDelivererConformance({
  name: "email",
  timeoutMs: 600,
  notification: sampleNotification(),
  async setup(timeoutMs) {
    const smtp = await startSmtpReceiver();
    const deliverer = createEmailDeliverer({ host: smtp.host, port: smtp.port, from: FROM, starttls: "off", timeoutMs, unsubscribeUrl: UNSUB });
    return {
      deliverer,
      destination: (mode) => ({ to: [`${mode}@rcpt.test`] }),
      accepted: () => smtp.mails,
      close: async () => {
        await deliverer.close();
        await smtp.close();
      },
    };
  },
  async expectDelivered(accepted, n: Notification) {
    const mail = accepted as ReceivedMail;
    expect(mail.to).toEqual(["ok@rcpt.test"]);
    expect(mail.from).toBe("alerts@mail.test");
    expect(partTypes(mail.raw)).toEqual(["multipart/alternative", "text/plain", "text/html"]);
    const m = await simpleParser(mail.raw);
    expect(m.messageId).toBe(`<${n.id}@mail.test>`);
    expect(m.subject).toBe("[lookout] team-a/api:1.4.2: New vulnerabilities (1 high, 1 low, 2 unknown)");
    expect(m.inReplyTo).toMatch(/^<image-[0-9a-f]{32}@mail\.test>$/);
    expect(m.references).toBe(m.inReplyTo);
    expect(header(m, "list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
    expect(header(m, "auto-submitted")).toBe("auto-generated");
    expect(header(m, "list-unsubscribe")).toBe(`<${UNSUB}>`);
    expect(header(m, "list-id")).toBe("Lookout alerts <alerts.mail.test>");
    for (const fact of ["GHSA-whgm-jr23-g3j9", "ansi-html", "0.0.7", "0.0.8", "sha256:" + "ab12".repeat(16)]) {
      expect(m.text).toContain(fact);
      expect(m.html).toContain(fact);
    }
  },
});

describe("email deliverer against a real SMTP server", () => {
  let smtp: FakeSmtpReceiver;
  let email: ReturnType<typeof createEmailDeliverer>;
  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    email = createEmailDeliverer({ host: smtp.host, port: smtp.port, from: FROM, starttls: "off", timeoutMs: 5000 });
  });
  afterAll(async () => {
    await email.close();
    await smtp.close();
  });

  it("threads notifications about the same image and keeps Message-IDs distinct", async () => {
    const a = sampleNotification({ id: "ntf_thread_a", kind: "scan.completed" });
    const b = sampleNotification({ id: "ntf_thread_b", kind: "findings.resolved" });
    const start = smtp.mails.length;
    expect(await email.deliver(a, { to: ["t@rcpt.test"] })).toMatchObject({ ok: true, providerId: "<ntf_thread_a@mail.test>" });
    expect(await email.deliver(b, { to: ["t@rcpt.test"] })).toMatchObject({ ok: true });
    const [ma, mb] = await Promise.all(smtp.mails.slice(start).map((x) => simpleParser(x.raw)));
    expect(ma!.messageId).toBe("<ntf_thread_a@mail.test>");
    expect(mb!.messageId).toBe("<ntf_thread_b@mail.test>");
    expect(ma!.inReplyTo).toBe(mb!.inReplyTo);
    // No unsubscribe configured and none on the destination: no List-Unsubscribe header at all.
    expect(header(ma!, "list-unsubscribe")).toBeUndefined();
  });

  it("uses the destination's own unsubscribe URL and HTML-escapes hostile values", async () => {
    const img = sampleImage({
      repository: HOSTILE.repository,
      findings: [{ advisoryId: "GHSA-whgm-jr23-g3j9", packageName: HOSTILE.packageName, installedVersion: HOSTILE.version, severity: "high" }],
    });
    const start = smtp.mails.length;
    const r = await email.deliver(sampleNotification({ id: "ntf_hostile", images: [img] }), { to: ["h@rcpt.test"], unsubscribeUrl: "https://lookout.test/u/sub-42" });
    expect(r).toMatchObject({ ok: true });
    const m = await simpleParser(smtp.mails[start]!.raw);
    expect(header(m, "list-unsubscribe")).toBe("<https://lookout.test/u/sub-42>");
    expect(m.html).not.toContain("<script>");
    expect(m.html).toContain("&lt;script&gt;");
    expect(m.text).toContain("<script>"); // plain text is shown as text, not markup
  });

  it("a multi-image digest has no per-image thread", async () => {
    const start = smtp.mails.length;
    const n = sampleNotification({ id: "ntf_digest", kind: "digest", images: [sampleImage(), sampleImage({ repository: "team-b/web", digest: "sha256:" + "cd34".repeat(16) })] });
    expect(await email.deliver(n, { to: ["d@rcpt.test"] })).toMatchObject({ ok: true });
    const m = await simpleParser(smtp.mails[start]!.raw);
    expect(m.inReplyTo).toBeUndefined();
    expect(m.subject).toBe("[lookout] Vulnerability digest: 2 images");
    expect(m.text).toContain("team-b/web");
  });

  it("a refused relay host is a permanent failure", async () => {
    const strict = createEmailDeliverer({ host: "127.0.0.1", port: smtp.port, from: FROM, starttls: "off" }, { policy: {} });
    const r = await strict.deliver(sampleNotification(), { to: ["x@rcpt.test"] });
    expect(r).toMatchObject({ ok: false, permanent: true });
    await strict.close();
  });
});
