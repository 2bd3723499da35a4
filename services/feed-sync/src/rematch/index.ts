import { keyOf, lookupCandidates, lookupFrom, inventoryKeys, type PackageKey } from "@lookout/advisory-store";
import type { Bus } from "@lookout/bus";
import type { Db } from "@lookout/db";
import { encodeEvent, type FindingsChanged, type Severity } from "@lookout/domain";
import type { Logger } from "@lookout/log";
import { match, type Finding } from "@lookout/matching";
import { candidateImages, isAffected, loadImages, type StoredImage } from "./load.js";
import { saveRematch, type ImageChange } from "./persist.js";

export interface RematchDeps {
  db: Db;
  /** Optional: without a bus (the CLI) the findings are stored but no event is published. */
  bus?: Pick<Bus, "publish">;
  log: Logger;
}

export interface RematchResult {
  candidates: number;
  images: number;
  new: number;
  resolved: number;
  retracted: number;
  events: number;
}

const BATCH = 500; // images per load + lookup + transaction
const PUBLISH_CONCURRENCY = 64;
const MAX_EVENT_FINDINGS = 1000; // the findingsChanged contract's cap

/**
 * Re-match, from their stored inventories (no pull), every live image that looks up one of the
 * `changed` package keys, store the difference and publish per image one findingsChanged event
 * per kind that has findings: `new` (with imagePushedAt), `resolved`, `retracted`. Event ids are
 * `rematch-<runId>-<imageId>-<kind>`, so a retried run publishes each once inside JetStream's
 * duplicate window.
 */
export async function rematch(d: RematchDeps, changed: readonly PackageKey[], runId: string): Promise<RematchResult> {
  const out: RematchResult = { candidates: 0, images: 0, new: 0, resolved: 0, retracted: 0, events: 0 };
  if (changed.length === 0) return out;
  const changedSet = new Set(changed.map((k) => keyOf(k.ecosystem, k.name)));
  const ids = await candidateImages(d.db, changed);
  out.candidates = ids.length;
  for (let i = 0; i < ids.length; i += BATCH) {
    const images = (await loadImages(d.db, ids.slice(i, i + BATCH))).filter((img) => isAffected(img, changedSet));
    if (images.length === 0) continue;
    const keys = new Map<string, PackageKey>();
    for (const img of images) for (const k of inventoryKeys(img.inventory)) keys.set(keyOf(k.ecosystem, k.name), k);
    const lookup = lookupFrom(await lookupCandidates(d.db, [...keys.values()]));
    const matched = images.map((img) => ({ imageId: img.imageId, scanId: img.scanId, findings: match(img.inventory, lookup) }));
    const changes = await saveRematch(d.db, matched);
    out.images += images.length;
    const byId = new Map(images.map((img) => [img.imageId, img]));
    const events: { id: string; data: FindingsChanged }[] = [];
    for (const c of changes) {
      out.new += c.new.length;
      out.resolved += c.resolved.length;
      out.retracted += c.retracted.length;
      events.push(...eventsOf(byId.get(c.imageId)!, c, runId));
    }
    if (d.bus) out.events += await publishAll(d.bus, events, runId, d.log);
  }
  d.log.info({ ...out }, "rematch done");
  return out;
}

type Item = FindingsChanged["findings"][number];
const fromFinding = (f: Finding): Item => ({
  advisoryId: f.advisoryId, packageName: f.packageName, installedVersion: f.installedVersion, severity: f.severity.level,
  ...(f.fixedVersions[0] ? { fixedVersion: f.fixedVersions[0] } : {}),
});
const fromRow = (r: ImageChange["resolved"][number]): Item => ({
  advisoryId: r.advisoryId, packageName: r.packageName, installedVersion: r.packageVersion, severity: r.severity as Severity,
  ...(r.fixedVersions[0] ? { fixedVersion: r.fixedVersions[0] } : {}),
});

function eventsOf(img: StoredImage, c: ImageChange, runId: string): { id: string; data: FindingsChanged }[] {
  const kinds: [FindingsChanged["kind"], Item[]][] = [
    ["new", c.new.map(fromFinding)], ["resolved", c.resolved.map(fromRow)], ["retracted", c.retracted.map(fromRow)],
  ];
  return kinds.filter(([, items]) => items.length > 0).map(([kind, items]) => ({
    id: `rematch-${runId}-${img.imageId}-${kind}`,
    data: { image: img.target, kind, reason: "rematch", findings: items.slice(0, MAX_EVENT_FINDINGS), imagePushedAt: img.pushedAt.toISOString() },
  }));
}

async function publishAll(bus: Pick<Bus, "publish">, events: { id: string; data: FindingsChanged }[], runId: string, log: Logger): Promise<number> {
  let sent = 0;
  for (let i = 0; i < events.length; i += PUBLISH_CONCURRENCY) {
    await Promise.all(events.slice(i, i + PUBLISH_CONCURRENCY).map(async (e) => {
      let env;
      try {
        env = encodeEvent("findingsChanged", "lookout/feed-sync", e.data, { id: e.id, correlationId: runId });
      } catch (err) {
        log.warn({ eventId: e.id, err: (err as Error).message }, "findings event invalid, not published");
        return;
      }
      await bus.publish("findingsChanged", env);
      sent++;
    }));
  }
  return sent;
}
