import { describe, expect, it } from "vitest";
import { HOSTILE, sampleImage, sampleNotification } from "../test-notifications.js";
import { classifySmtpError } from "./deliverer.js";
import { domainOf, imageThreadId, messageId } from "./ids.js";
import { renderHtml, renderSubject, renderText } from "./render.js";

describe("email rendering", () => {
  it("text and HTML carry the same facts", () => {
    const n = sampleNotification();
    const text = renderText(n, 15);
    const html = renderHtml(n, 15);
    for (const fact of ["team-a/api:1.4.2", "sha256:" + "ab12".repeat(16), "GHSA-whgm-jr23-g3j9", "ansi-html", "0.0.8", "1.1.0l-1~deb9u6", "https://lookout.test/images/"]) {
      expect(text).toContain(fact);
      expect(html).toContain(fact);
    }
    expect(text).toContain("1 high, 1 low, 2 unknown");
    expect(html).toContain('<a href="https://osv.dev/vulnerability/GHSA-whgm-jr23-g3j9">GHSA-whgm-jr23-g3j9</a>');
    expect(renderSubject(n, "[lookout]")).toBe("[lookout] team-a/api:1.4.2: New vulnerabilities (1 high, 1 low, 2 unknown)");
  });

  it("HTML-escapes hostile strings and never links non-http URLs", () => {
    const img = sampleImage({
      repository: HOSTILE.repository,
      tags: [HOSTILE.tag],
      findings: [{ advisoryId: HOSTILE.advisoryId, url: HOSTILE.badUrl, packageName: HOSTILE.packageName, installedVersion: HOSTILE.version, severity: "critical" }],
      reportUrl: HOSTILE.badUrl,
    });
    const html = renderHtml(sampleNotification({ images: [img] }), 15);
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<img");
    expect(html).not.toContain("javascript:");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("1.0&lt;/td&gt;&lt;img src=x onerror=alert(1)&gt;");
  });

  it("subjects cannot inject headers", () => {
    const n = sampleNotification({ kind: "scan.failed", images: [sampleImage({ repository: "a/b", tags: ["t\r\nBcc: victim@test"], error: HOSTILE.error })] });
    const s = renderSubject(n, "[lookout]");
    expect(s).not.toMatch(/[\r\n]/);
    expect(s).toContain("scan failed");
  });

  it("ids: Message-ID from the notification id, one thread id per image", () => {
    const n = sampleNotification();
    expect(messageId(n, "mail.test")).toBe("<ntf_test0001@mail.test>");
    const a = imageThreadId(sampleImage(), "mail.test");
    expect(a).toMatch(/^<image-[0-9a-f]{32}@mail\.test>$/);
    expect(imageThreadId(sampleImage({ tags: ["other"] }), "mail.test")).toBe(a); // same digest, same thread
    expect(imageThreadId(sampleImage({ digest: "sha256:" + "cd34".repeat(16) }), "mail.test")).not.toBe(a);
    expect(domainOf("Lookout <alerts@mail.test>")).toBe("mail.test");
  });

  it("SMTP 5xx is permanent, 4xx and connection errors transient", () => {
    expect(classifySmtpError(Object.assign(new Error("x"), { responseCode: 550, response: "550 5.1.1 no such user" }))).toMatchObject({ ok: false, permanent: true, status: 550 });
    expect(classifySmtpError(Object.assign(new Error("x"), { responseCode: 451, response: "451 try later" }))).toMatchObject({ ok: false, permanent: false, status: 451 });
    expect(classifySmtpError(Object.assign(new Error("Connection timeout"), { code: "ETIMEDOUT" }))).toMatchObject({ ok: false, permanent: false });
  });
});
