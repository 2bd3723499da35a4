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
  const ids = new Set<string>([adv.id, ...adv.aliases]);
  const own = cveOf(adv.id);
  if (own) ids.add(own);
  const upstreamCves = new Set(adv.upstream.map(cveOf).filter((c): c is string => c !== undefined));
  if (upstreamCves.size === 1) {
    for (const u of adv.upstream) ids.add(u);
    for (const c of upstreamCves) ids.add(c);
    return { ids: [...ids], multi: [] };
  }
  return { ids: [...ids], multi: upstreamCves.size > 1 ? [...upstreamCves].sort() : [] };
}

function cveKey(id: string): [number, number] {
  const m = /^CVE-(\d{4})-(\d+)$/.exec(id);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

/** Primary id of an alias group: smallest CVE, else a GHSA, else the smallest id. */
export function pickPrimary(ids: Iterable<string>): string {
  const all = [...ids].sort();
  const cves = all.filter((i) => /^CVE-\d{4}-\d+$/.test(i));
  if (cves.length > 0) {
    return cves.sort((a, b) => {
      const [ya, na] = cveKey(a);
      const [yb, nb] = cveKey(b);
      return ya - yb || na - nb;
    })[0] as string;
  }
  return all.find((i) => i.startsWith("GHSA-")) ?? (all[0] as string);
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
