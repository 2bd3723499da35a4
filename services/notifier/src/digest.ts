import { SEVERITIES, type Severity } from "@lookout/domain";
import { notificationImageSchema, type NotificationFinding, type NotificationImage } from "@lookout/channels";
import type { Redis } from "@lookout/queue";

/**
 * Digest cadence. Each matching event's image is parked in a Redis hash per (subscription,
 * window); one delayed delivery job per window (its job id names the pair, so it exists once)
 * seals the window when it runs and sends everything parked in it as one `digest` notification.
 * An event that arrives after its window was sealed lands in the next one, so nothing is lost.
 */
export interface DigestStore {
  redis: Redis;
  namespace: string;
  /** Length of one "minute" (60 000 in production; tests shorten it). */
  minuteMs: number;
}

/** The most images one digest carries (the notification schema's bound). */
export const MAX_DIGEST_IMAGES = 500;
const KEEP_MS = 24 * 3600_000;

const prefix = (s: DigestStore, subscriptionId: string) => `${s.namespace}:digest:${subscriptionId}`;
export const periodMs = (s: DigestStore, everyMinutes: number) => Math.max(1, everyMinutes) * s.minuteMs;
/** How long after a window closes its job runs: late fan-outs of that window still make it. */
export const graceMs = (s: DigestStore, everyMinutes: number) => Math.min(5_000, Math.floor(periodMs(s, everyMinutes) / 4));

export const digestEventId = (window: number) => `digest-${window}`;
export const digestJobId = (subscriptionId: string, window: number) => `digest_${subscriptionId}_${window}`;

// Atomic: an event already parked (JetStream redelivery) is not parked again; a sealed window is
// skipped for the next open one. Keys are built from ARGV[1] (single Redis, no cluster).
const PARK_LUA = `
local p = ARGV[1]
local seen = p .. ':seen:' .. ARGV[2]
local prev = redis.call('GET', seen)
if prev then return {tonumber(prev), 0} end
local w0 = tonumber(ARGV[4])
for i = 0, 20 do
  local w = w0 + i
  if redis.call('EXISTS', p .. ':' .. w .. ':sealed') == 0 then
    redis.call('HSET', p .. ':' .. w, ARGV[2], ARGV[3])
    redis.call('PEXPIRE', p .. ':' .. w, ARGV[5])
    redis.call('SET', seen, w, 'PX', ARGV[5])
    return {w, 1}
  end
end
return {-1, 0}`;

/**
 * Parks one event's image in the subscription's open window. Returns the window, when its job
 * is due, and whether this call added it (false for a redelivered event).
 */
export async function parkInDigest(
  s: DigestStore, subscriptionId: string, everyMinutes: number, eventId: string, image: NotificationImage, now = Date.now(),
): Promise<{ window: number; dueAt: number; added: boolean }> {
  const period = periodMs(s, everyMinutes);
  const payload = JSON.stringify({ at: now, image });
  const [window, added] = (await s.redis.eval(PARK_LUA, 0, prefix(s, subscriptionId), eventId, payload, String(Math.floor(now / period)), String(period + KEEP_MS))) as [number, number];
  if (window < 0) throw new Error("digest: no open window within 20 periods");
  return { window, dueAt: (window + 1) * period + graceMs(s, everyMinutes), added: added === 1 };
}

/**
 * Seals a window (later events go to the next one) and returns its images merged: one entry per
 * (registry, repository, digest) with the tags of every push of that digest.
 */
export async function sealDigest(s: DigestStore, subscriptionId: string, everyMinutes: number, window: number): Promise<{ images: NotificationImage[]; dropped: number }> {
  const p = `${prefix(s, subscriptionId)}:${window}`;
  const ttl = periodMs(s, everyMinutes) + KEEP_MS;
  const [, [, raw]] = (await s.redis.multi().set(`${p}:sealed`, "1", "PX", ttl).hgetall(p).exec()) as [unknown, [unknown, Record<string, string>]];
  const parked = Object.entries(raw ?? {}).flatMap(([eventId, v]) => {
    try {
      const o = JSON.parse(v) as { at: number; image: unknown };
      const img = notificationImageSchema.safeParse(o.image);
      return img.success ? [{ at: o.at, eventId, image: img.data }] : [];
    } catch {
      return [];
    }
  });
  parked.sort((a, b) => a.at - b.at || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
  const merged = mergeImages(parked.map((x) => x.image));
  return { images: merged.slice(0, MAX_DIGEST_IMAGES), dropped: Math.max(0, merged.length - MAX_DIGEST_IMAGES) };
}

/** Drops a delivered window's parked images (its sealed marker stays until it expires). */
export async function clearDigest(s: DigestStore, subscriptionId: string, window: number): Promise<void> {
  await s.redis.del(`${prefix(s, subscriptionId)}:${window}`);
}

const findingKey = (f: NotificationFinding) => `${f.advisoryId}\u0000${f.packageName}\u0000${f.installedVersion}`;

/** Groups images by (registry, repository, digest), in first-seen order; later entries win on counts. */
export function mergeImages(images: readonly NotificationImage[]): NotificationImage[] {
  const byKey = new Map<string, NotificationImage>();
  for (const img of images) {
    const key = `${img.registry}/${img.repository}@${img.digest}`;
    const prev = byKey.get(key);
    if (!prev) {
      byKey.set(key, { ...img, tags: [...new Set(img.tags)], findings: [...img.findings] });
      continue;
    }
    const findings = new Map(prev.findings.map((f) => [findingKey(f), f]));
    for (const f of img.findings) findings.set(findingKey(f), f);
    const all = [...findings.values()].slice(0, 1000);
    const counted: Partial<Record<Severity, number>> = {};
    for (const f of all) counted[f.severity] = (counted[f.severity] ?? 0) + 1;
    const counts: Partial<Record<Severity, number>> = {};
    for (const sv of SEVERITIES) {
      const n = Math.max(img.severityCounts[sv] ?? 0, prev.severityCounts[sv] ?? 0, counted[sv] ?? 0);
      if (n) counts[sv] = n;
    }
    const findingCount = Math.max(img.findingCount ?? 0, prev.findingCount ?? 0, all.length);
    byKey.set(key, {
      ...prev,
      ...img,
      tags: [...new Set([...prev.tags, ...img.tags])].slice(0, 100),
      findings: all,
      severityCounts: counts,
      ...(img.findingCount !== undefined || prev.findingCount !== undefined ? { findingCount } : {}),
    });
  }
  return [...byKey.values()];
}
