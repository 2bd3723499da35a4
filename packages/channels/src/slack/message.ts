import {
  imageLabel,
  KIND_TITLES,
  severityList,
  shortDigest,
  sortFindings,
  totalFindings,
  type Notification,
  type NotificationFinding,
  type NotificationImage,
} from "../notification.js";
import { code, escapeText, link, plainLine, truncate } from "./escape.js";

/** Slack's documented limits (reference §8.1). */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
  contextElements: 10,
  /** Aggregate block text fails with msg_blocks_too_long near 13k: stay well under. */
  totalText: 11_000,
  fallbackText: 3000,
} as const;

export type SlackBlock =
  | { type: "header"; text: { type: "plain_text"; text: string; emoji: false } }
  | { type: "section"; text: { type: "mrkdwn"; text: string } }
  | { type: "context"; elements: { type: "mrkdwn"; text: string }[] }
  | { type: "divider" };

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

export interface SlackMessageOptions {
  /** Findings listed per image before "and N more". Default 10. */
  maxFindingsPerImage?: number;
}

const SEV_LABEL: Record<string, string> = {
  critical: "Critical",
  high: "High",
  medium: "Medium",
  low: "Low",
  negligible: "Negligible",
  unknown: "Unknown",
};

const header = (t: string): SlackBlock => ({
  type: "header",
  text: { type: "plain_text", text: truncate(plainLine(t), SLACK_LIMITS.headerText), emoji: false },
});
const section = (t: string): SlackBlock => ({ type: "section", text: { type: "mrkdwn", text: truncate(t, SLACK_LIMITS.sectionText) } });
const context = (t: string): SlackBlock => ({ type: "context", elements: [{ type: "mrkdwn", text: truncate(t, SLACK_LIMITS.sectionText) }] });

function countsLine(img: NotificationImage): string {
  const list = severityList(img.severityCounts);
  if (list.length === 0) return "No known vulnerabilities";
  return list.map((x) => `*${SEV_LABEL[x.severity]}:* ${x.count}`).join("   ");
}

function findingLine(f: NotificationFinding): string {
  const fix = f.fixedVersion ? `${code(truncate(f.installedVersion, 60))} → ${code(truncate(f.fixedVersion, 60))}` : `${code(truncate(f.installedVersion, 60))} (no fix yet)`;
  return `• ${SEV_LABEL[f.severity]} ${link(f.url, truncate(f.advisoryId, 80))} ${code(truncate(f.packageName, 100))} ${fix}`;
}

/** Findings section, fitted to one section's text limit; returns how many were listed. */
function findingsSection(img: NotificationImage, max: number): { text: string; listed: number } {
  let text = "";
  let listed = 0;
  for (const f of sortFindings(img.findings).slice(0, max)) {
    const line = findingLine(f);
    if (text.length + line.length + 1 > SLACK_LIMITS.sectionText - 50) break;
    text += (text ? "\n" : "") + line;
    listed++;
  }
  return { text, listed };
}

function imageBlocks(n: Notification, img: NotificationImage, o: Required<SlackMessageOptions>, single: boolean): SlackBlock[] {
  const blocks: SlackBlock[] = [];
  if (!single) blocks.push(section(`*${escapeText(truncate(imageLabel(img), 200))}* ${code(shortDigest(img.digest))}`));
  const tags = img.tags.length > 1 ? ` · tags ${img.tags.slice(0, 10).map((t) => code(truncate(t, 128))).join(", ")}` : "";
  blocks.push(context(`${single ? `${KIND_TITLES[n.kind]} · ` : ""}${escapeText(truncate(img.registry, 255))}${tags}`));
  if (img.error) blocks.push(section(`*Scan failed:* ${escapeText(truncate(img.error, 500))}`));
  else blocks.push(section(countsLine(img)));
  const { text, listed } = findingsSection(img, o.maxFindingsPerImage);
  if (text) blocks.push(section(text));
  const more = totalFindings(img) - listed;
  const tail = [more > 0 ? `and ${more} more` : "", img.reportUrl ? link(img.reportUrl, "View full report") : ""].filter(Boolean);
  if (tail.length) blocks.push(context(tail.join(" · ")));
  return blocks;
}

function textLength(b: SlackBlock): number {
  if (b.type === "divider") return 0;
  if (b.type === "context") return b.elements.reduce((a, e) => a + e.text.length, 0);
  return b.text.text.length;
}

/** Plain-text fallback (notification and screen-reader text), escaped like mrkdwn. */
export function fallbackText(n: Notification): string {
  const sum = (img: NotificationImage) => severityList(img.severityCounts).map((x) => `${x.count} ${x.severity}`).join(", ") || "no known vulnerabilities";
  const first = n.images[0]!;
  const t =
    n.images.length === 1
      ? `${KIND_TITLES[n.kind]}: ${imageLabel(first)} (${shortDigest(first.digest)}): ${first.error ? `failed: ${first.error}` : sum(first)}`
      : `${KIND_TITLES[n.kind]}: ${n.images.length} images: ${n.images.slice(0, 5).map(imageLabel).join(", ")}${n.images.length > 5 ? ", …" : ""}`;
  return truncate(escapeText(t.replace(/[\r\n]+/g, " ")), SLACK_LIMITS.fallbackText);
}

/**
 * Block Kit message for a notification, within Slack's limits: at most 50 blocks, 3000 chars
 * per section, 150 per header, and an aggregate text budget. Images that do not fit are
 * summarised as "and N more images".
 */
export function buildSlackMessage(n: Notification, opts: SlackMessageOptions = {}): SlackMessage {
  const o = { maxFindingsPerImage: opts.maxFindingsPerImage ?? 10 };
  const single = n.images.length === 1;
  const first = n.images[0]!;
  const blocks: SlackBlock[] = [
    single ? header(`${imageLabel(first)} · ${shortDigest(first.digest)}`) : header(`${KIND_TITLES[n.kind]}: ${n.images.length} images`),
  ];
  let budget = SLACK_LIMITS.totalText - textLength(blocks[0]!);
  let shown = 0;
  for (const img of n.images) {
    const add = [...(shown > 0 ? [{ type: "divider" } as SlackBlock] : []), ...imageBlocks(n, img, o, single)];
    const cost = add.reduce((a, b) => a + textLength(b), 0);
    // Keep one block and some text in reserve for the "and N more images" line.
    if (blocks.length + add.length > SLACK_LIMITS.blocks - 1 || cost > budget - 200) break;
    blocks.push(...add);
    budget -= cost;
    shown++;
  }
  if (shown < n.images.length) blocks.push(context(`and ${n.images.length - shown} more images`));
  return { text: fallbackText(n), blocks };
}
