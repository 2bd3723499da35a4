import { readFileSync } from "node:fs";
import { SEVERITIES, type Severity } from "@lookout/domain";
import type { Notification, NotificationFinding, NotificationImage } from "./notification.js";

/**
 * Test notifications built from the real OSV records in ../testdata (advisory id, package, fixed
 * version, severity). Installed versions are simply set below each fix. Test-only: not exported
 * from the package index.
 */

interface Osv {
  id: string;
  affected: { package: { name: string }; ranges?: { events: Record<string, string>[] }[] }[];
  database_specific?: { severity?: string };
}

const INSTALLED: Record<string, string> = {
  "GHSA-whgm-jr23-g3j9": "0.0.7",
  "GHSA-75v8-2h7p-7m2m": "3.5.2",
  "DLA-3008-1": "1.1.0l-1~deb9u5",
  "DLA-3012-1": "2.9.4+dfsg1-2.2+deb9u6",
};

function finding(id: string): NotificationFinding {
  const osv = JSON.parse(readFileSync(new URL(`../testdata/osv-${id}.json`, import.meta.url), "utf8")) as Osv;
  const a = osv.affected[0]!;
  const fixed = a.ranges?.flatMap((r) => r.events).find((e) => e.fixed)?.fixed;
  const sev = (osv.database_specific?.severity ?? "unknown").toLowerCase();
  return {
    advisoryId: osv.id,
    url: `https://osv.dev/vulnerability/${osv.id}`,
    packageName: a.package.name,
    installedVersion: INSTALLED[id]!,
    ...(fixed ? { fixedVersion: fixed } : {}),
    severity: (SEVERITIES as readonly string[]).includes(sev) ? (sev as Severity) : "unknown",
  };
}

export const REAL_FINDINGS: NotificationFinding[] = Object.keys(INSTALLED).map(finding);

export function sampleImage(over: Partial<NotificationImage> = {}): NotificationImage {
  const findings = over.findings ?? REAL_FINDINGS;
  const severityCounts: NotificationImage["severityCounts"] = {};
  for (const f of findings) severityCounts[f.severity] = (severityCounts[f.severity] ?? 0) + 1;
  return {
    registry: "registry.test:5000",
    repository: "team-a/api",
    tags: ["1.4.2"],
    digest: "sha256:" + "ab12".repeat(16),
    reportUrl: "https://lookout.test/images/team-a/api/sha256:" + "ab12".repeat(16),
    severityCounts,
    findings,
    ...over,
  };
}

export function sampleNotification(over: Partial<Notification> = {}): Notification {
  return {
    id: "ntf_test0001",
    kind: "findings.new",
    occurredAt: "2026-11-29T12:00:00.000Z",
    images: [sampleImage()],
    ...over,
  };
}

/** Strings an attacker controls through a push or an image's package metadata. */
export const HOSTILE = {
  repository: "evil/<!channel>&<https://phish.test|click>",
  tag: "<!here>@channel",
  packageName: "<script>alert(1)</script>`@everyone`<@U123>",
  version: "1.0</td><img src=x onerror=alert(1)>",
  advisoryId: "CVE-x|<https://phish.test>",
  url: "https://osv.dev/vulnerability/x|<!channel>",
  badUrl: "javascript:alert(1)",
  error: "line1\r\nBcc: victim@test\n<b>bold</b>",
};
