import { keyOf, lookupCandidates, lookupFrom, type PackageKey } from "@lookout/advisory-store";
import type { Bus } from "@lookout/bus";
import type { Db } from "@lookout/db";
import { encodeEvent, type FindingsChanged, type Package, type Severity } from "@lookout/domain";
import type { Logger } from "@lookout/log";
import { match, type Finding, type ScopeOptions } from "@lookout/matching";
import { affectedPackages, candidateImages, loadImages, packageKeyOf, type StoredImage } from "./load.js";
import { saveRematch, type ImageChange } from "./persist.js";

export interface RematchDeps {
  db: Db;
  /** Optional: without a bus (the CLI) the findings are stored but no event is published. */
  bus?: Pick<Bus, "publish">;
  log: Logger;
  /** Distro release scoping; the same as the scanner's. */
  match?: ScopeOptions;
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
const CONCURRENT_BATCHES = 2;
const PUBLISH_CONCURRENCY = 128;
const MAX_EVENT_FINDINGS = 1000; // the findingsChanged contract's cap

/**
 * Re-match, from their stored inventories (no pull), every live image that looks up one of the
 * `changed` package keys, store the difference and publish per image one findingsChanged event
 * per kind that has findings: `new` (with imagePushedAt), `resolved`, `retracted`. Event ids are
 * `rematch-<runId>-<imageId>-<kind>`, so a retried run publishes each once inside JetStream's
 * duplicate window. Events are published before each batch commits (see `saveRematch`).
 */
export async function rematch(d: RematchDeps, changed: readonly PackageKey[], runId: string): Promise<RematchResult> {
  const out: RematchResult = { candidates: 0, images: 0, new: 0, resolved: 0, retracted: 0, events: 0 };
  if (changed.length === 0) return out;
  const changedSet = new Set(changed.map((k) => keyOf(k.ecosystem, k.name)));
  const ids = await candidateImages(d.db, changed);
  const changedNames = changed.map((k) => k.name);
  out.candidates = ids.length;
  const batch = async (slice: number[]): Promise<void> => {
    const t0 = performance.now();
    const keys = new Map<string, PackageKey>();
    const work: { img: StoredImage; packages: Package[] }[] = [];
    for (const img of await loadImages(d.db, slice, changedNames)) {
      const a = affectedPackages(img, changedSet);
      if (a.packages.length === 0) continue;
      work.push({ img, packages: a.packages });
      for (const k of a.keys) keys.set(keyOf(k.ecosystem, k.name), k);
    }
    if (work.length === 0) return;
    const images = work.map((w) => w.img);
    const t1 = performance.now();
    // Only the changed keys are looked up and only the packages naming them re-matched: the
    // findings of every other package cannot change with these advisories.
    const lookup = lookupFrom(await lookupCandidates(d.db, [...keys.values()]));
    const t2 = performance.now();
    const matched = work.map(({ img, packages }) => ({
      imageId: img.imageId, scanId: img.scanId,
      findings: match({ ...(img.inventory.distro ? { distro: img.inventory.distro } : {}), packages }, lookup, d.match ?? {}),
      scope: new Set(packages.map((p) => packageKeyOf(p.ecosystem, p.name, p.version, p.path))),
    }));
    const t3 = performance.now();
    const byId = new Map(images.map((img) => [img.imageId, img]));
    let published = 0;
    const changes = await saveRematch(d.db, matched, async (cs) => {
      if (d.bus) published = await publishAll(d.bus, cs.flatMap((c) => eventsOf(byId.get(c.imageId)!, c, runId)), runId, d.log);
    });
    out.images += images.length;
    out.events += published;
    for (const c of changes) {
      out.new += c.new.length;
      out.resolved += c.resolved.length;
      out.retracted += c.retracted.length;
    }
    d.log.debug({ images: images.length, keys: keys.size, loadMs: ms(t1 - t0), lookupMs: ms(t2 - t1), matchMs: ms(t3 - t2), saveAndPublishMs: ms(performance.now() - t3) }, "rematch batch");
  };
  // Batches hold disjoint images, so they can overlap: one is loaded, looked up and matched while
  // the other is stored and its events published. The first failure stops both loops.
  let next = 0;
  let failed = false;
  const loop = async () => {
    while (!failed && next < ids.length) {
      const slice = ids.slice(next, next + BATCH);
      next += BATCH;
      try {
        await batch(slice);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const loops = await Promise.allSettled(Array.from({ length: CONCURRENT_BATCHES }, loop));
  for (const l of loops) if (l.status === "rejected") throw l.reason;
  d.log.info({ ...out }, "rematch done");
  return out;
}

const ms = (n: number) => Math.round(n);

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
