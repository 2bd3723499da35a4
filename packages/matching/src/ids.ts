import type { Advisory } from "@lookout/advisories";

/** "CVE-2023-1", "DEBIAN-CVE-2023-1", "UBUNTU-CVE-2023-1", "ALPINE-CVE-2023-1" → "CVE-2023-1". */
export function cveOf(id: string): string | undefined {
  const m = /^(?:[A-Z][A-Z0-9]*-)?(CVE-\d{4}-\d{4,})$/.exec(id);
  return m?.[1];
}

/**
 * Ids that name the same vulnerability as `adv`: its id, aliases, the CVE its id embeds
 * (UBUNTU-CVE-X → CVE-X) and its `upstream` ids when they all denote one CVE (DLA-3008-1 →
 * CVE-2022-1292, DEBIAN-CVE-2022-1292). A record whose upstream spans several CVEs (a USN/DLA
 * fixing many) is not an alias of any one of them: `multi` lists those CVEs instead.
 */
export function identityOf(adv: Advisory): { ids: string[]; multi: string[] } {
  // Plain arrays (alias lists are short): this runs once per candidate record per scan.
  const ids = [adv.id];
  for (const a of adv.aliases) if (!ids.includes(a)) ids.push(a);
  const own = cveOf(adv.id);
  if (own && !ids.includes(own)) ids.push(own);
  if (adv.upstream.length === 0) return { ids, multi: [] };
  const upstreamCves: string[] = [];
  for (const u of adv.upstream) {
    const c = cveOf(u);
    if (c !== undefined && !upstreamCves.includes(c)) upstreamCves.push(c);
  }
  if (upstreamCves.length === 1) {
    for (const u of adv.upstream) if (!ids.includes(u)) ids.push(u);
    if (!ids.includes(upstreamCves[0]!)) ids.push(upstreamCves[0]!);
    return { ids, multi: [] };
  }
  return { ids, multi: upstreamCves.length > 1 ? upstreamCves.sort() : [] };
}

const CVE_ID = /^CVE-(\d{4})-(\d+)$/;

/** Primary id of an alias group: smallest CVE (by year, then number), else the smallest GHSA, else the smallest id. */
export function pickPrimary(ids: Iterable<string>): string {
  let cve: string | undefined;
  let cveYear = 0;
  let cveNum = 0;
  let ghsa: string | undefined;
  let least: string | undefined;
  for (const id of ids) {
    if (least === undefined || id < least) least = id;
    const m = CVE_ID.exec(id);
    if (m) {
      const y = Number(m[1]);
      const n = Number(m[2]);
      // Equal (year, number) written differently ("CVE-2020-01"): the smaller string wins.
      if (cve === undefined || y < cveYear || (y === cveYear && (n < cveNum || (n === cveNum && id < cve)))) {
        cve = id;
        cveYear = y;
        cveNum = n;
      }
    } else if (id.startsWith("GHSA-") && (ghsa === undefined || id < ghsa)) ghsa = id;
  }
  return cve ?? ghsa ?? (least as string);
}

/** Minimal union-find over string ids. */
export class IdGroups {
  private readonly parent = new Map<string, string>();

  find(x: string): string {
    if (!this.parent.has(x)) {
      this.parent.set(x, x);
      return x;
    }
    let root = x;
    while (this.parent.get(root) !== root) root = this.parent.get(root) as string;
    for (let c = x; c !== root; ) {
      const next = this.parent.get(c) as string;
      this.parent.set(c, root);
      c = next;
    }
    return root;
  }

  union(ids: string[]): void {
    const [first, ...rest] = ids;
    if (first === undefined) return;
    const root = this.find(first);
    for (const id of rest) {
      const r = this.find(id);
      if (r !== root) this.parent.set(r, root);
    }
  }
}
