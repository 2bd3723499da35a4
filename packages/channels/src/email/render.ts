import {
  imageLabel,
  KIND_TITLES,
  severityList,
  sortFindings,
  totalFindings,
  type Notification,
  type NotificationFinding,
  type NotificationImage,
} from "../notification.js";

/**
 * Text and HTML bodies carrying the same facts (§8.2): image reference with digest, counts by
 * severity, top findings with fixed versions, report link. Every registry/image value is
 * HTML-escaped; links are emitted only for http(s) URLs; inline CSS, no remote content.
 */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** One header-safe line: no control characters (CR/LF header injection), capped. */
export function headerLine(s: string, max = 200): string {
  const one = s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ").trim();
  return one.length > max ? one.slice(0, max - 1) + "…" : one;
}

function httpUrl(u: string | undefined): string | undefined {
  if (!u) return undefined;
  try {
    const url = new URL(u);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

const cap = (s: string, n: number) => (s.length > n ? s.slice(0, n - 1) + "…" : s);

function summary(img: NotificationImage): string {
  if (img.error) return "scan failed";
  return severityList(img.severityCounts).map((x) => `${x.count} ${x.severity}`).join(", ") || "no known vulnerabilities";
}

export function renderSubject(n: Notification, prefix: string): string {
  const first = n.images[0]!;
  const what = n.images.length === 1 ? `${imageLabel(first)}: ${KIND_TITLES[n.kind]} (${summary(first)})` : `${KIND_TITLES[n.kind]}: ${n.images.length} images`;
  return headerLine(`${prefix} ${what}`);
}

function top(img: NotificationImage, max: number): { list: NotificationFinding[]; more: number } {
  const list = sortFindings(img.findings).slice(0, max);
  return { list, more: Math.max(0, totalFindings(img) - list.length) };
}

function textImage(img: NotificationImage, max: number): string {
  const lines = [`${cap(imageLabel(img), 300)}  (${img.registry}/${img.repository}@${img.digest})`];
  if (img.tags.length > 1) lines.push(`Tags: ${img.tags.slice(0, 20).join(", ")}`);
  lines.push(img.error ? `Scan failed: ${cap(img.error, 500)}` : `Findings: ${summary(img)}`);
  const { list, more } = top(img, max);
  for (const f of list) {
    const fix = f.fixedVersion ? `${f.installedVersion} -> ${f.fixedVersion}` : `${f.installedVersion} (no fix yet)`;
    lines.push(`  - [${f.severity}] ${cap(f.advisoryId, 80)} ${cap(f.packageName, 100)} ${cap(fix, 130)}${httpUrl(f.url) ? `  ${httpUrl(f.url)}` : ""}`);
  }
  if (more > 0) lines.push(`  ... and ${more} more`);
  const report = httpUrl(img.reportUrl);
  if (report) lines.push(`Full report: ${report}`);
  return lines.join("\n");
}

const SEV_COLOUR: Record<string, string> = { critical: "#7b1fa2", high: "#d32f2f", medium: "#f57c00", low: "#1976d2" };

function htmlLink(url: string | undefined, text: string): string {
  const u = httpUrl(url);
  return u ? `<a href="${escapeHtml(u)}">${escapeHtml(text)}</a>` : escapeHtml(text);
}

function htmlImage(img: NotificationImage, max: number): string {
  const e = escapeHtml;
  const parts = [
    `<h2 style="font-size:16px;margin:16px 0 4px">${e(cap(imageLabel(img), 300))}</h2>`,
    `<div style="color:#555;font-family:monospace">${e(`${img.registry}/${img.repository}@${img.digest}`)}</div>`,
  ];
  if (img.tags.length > 1) parts.push(`<div>Tags: ${e(img.tags.slice(0, 20).join(", "))}</div>`);
  parts.push(img.error ? `<p><strong>Scan failed:</strong> ${e(cap(img.error, 500))}</p>` : `<p><strong>Findings:</strong> ${e(summary(img))}</p>`);
  const { list, more } = top(img, max);
  if (list.length) {
    const rows = list.map((f) => {
      const colour = SEV_COLOUR[f.severity] ?? "#555";
      return `<tr><td style="color:${colour};padding:2px 8px">${e(f.severity)}</td><td style="padding:2px 8px">${htmlLink(f.url, cap(f.advisoryId, 80))}</td><td style="padding:2px 8px;font-family:monospace">${e(cap(f.packageName, 100))}</td><td style="padding:2px 8px;font-family:monospace">${e(cap(f.installedVersion, 60))} &rarr; ${f.fixedVersion ? e(cap(f.fixedVersion, 60)) : "no fix yet"}</td></tr>`;
    });
    parts.push(`<table style="border-collapse:collapse;font-size:13px">${rows.join("")}</table>`);
  }
  if (more > 0) parts.push(`<p>and ${more} more</p>`);
  if (httpUrl(img.reportUrl)) parts.push(`<p>${htmlLink(img.reportUrl, "View full report")}</p>`);
  return parts.join("\n");
}

export function renderText(n: Notification, maxFindings: number): string {
  const head = `${KIND_TITLES[n.kind]} (${n.occurredAt})`;
  return [head, ...n.images.slice(0, 100).map((i) => textImage(i, maxFindings)), n.images.length > 100 ? `... and ${n.images.length - 100} more images` : ""]
    .filter(Boolean)
    .join("\n\n") + "\n";
}

export function renderHtml(n: Notification, maxFindings: number): string {
  const body = n.images.slice(0, 100).map((i) => htmlImage(i, maxFindings)).join("\n<hr>\n");
  const rest = n.images.length > 100 ? `<p>and ${n.images.length - 100} more images</p>` : "";
  return `<!doctype html><html><body style="font-family:sans-serif;font-size:14px"><h1 style="font-size:18px">${escapeHtml(KIND_TITLES[n.kind])}</h1>\n${body}${rest}</body></html>\n`;
}
