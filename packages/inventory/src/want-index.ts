import type { FileCataloger, FileInfo, FileMatch } from "@lookout/domain";

/**
 * Which catalogers to ask about a tar entry, found by the keys they declare (FileMatch) instead
 * of running every cataloger's `wants` on every entry: a layer has tens of thousands of entries
 * and a handful of catalogers care about any one of them. Catalogers without `match` are asked
 * about every file, as before.
 */
export class WantIndex {
  private readonly paths = new Map<string, FileCataloger[]>();
  private readonly basenames = new Map<string, FileCataloger[]>();
  private readonly extensions = new Map<string, FileCataloger[]>();
  private readonly prefixes: [string, FileCataloger][] = [];
  private readonly executables: FileCataloger[] = [];
  private readonly always: FileCataloger[] = [];

  constructor(catalogers: readonly FileCataloger[]) {
    const add = (m: Map<string, FileCataloger[]>, k: string, c: FileCataloger) => {
      const l = m.get(k);
      if (!l) m.set(k, [c]);
      else if (!l.includes(c)) l.push(c);
    };
    for (const c of catalogers) {
      const m = c.match;
      if (!m) {
        this.always.push(c);
        continue;
      }
      for (const p of m.paths ?? []) add(this.paths, p, c);
      for (const b of m.basenames ?? []) add(this.basenames, b, c);
      for (const e of m.extensions ?? []) add(this.extensions, e.toLowerCase(), c);
      for (const p of m.prefixes ?? []) this.prefixes.push([p, c]);
      if (m.executables) this.executables.push(c);
    }
  }

  /** Whether any cataloger wants the entry: the per-entry test, no allocation on a miss. */
  wants(path: string, info: FileInfo): boolean {
    for (const c of this.always) if (c.wants(path, info)) return true;
    const base = path.slice(path.lastIndexOf("/") + 1);
    if (asks(this.basenames.get(base), path, info)) return true;
    if (this.extensions.size > 0) {
      const dot = base.lastIndexOf(".");
      if (dot >= 0 && asks(this.extensions.get(base.slice(dot + 1).toLowerCase()), path, info)) return true;
    }
    if (asks(this.paths.get(path), path, info)) return true;
    for (const [p, c] of this.prefixes) if (path.startsWith(p) && c.wants(path, info)) return true;
    return (info.mode & 0o111) !== 0 && asks(this.executables, path, info);
  }
}

function asks(l: readonly FileCataloger[] | undefined, path: string, info: FileInfo): boolean {
  if (l) for (const c of l) if (c.wants(path, info)) return true;
  return false;
}

/** One cataloger's keys against one path (the index's test, spelled out). */
export function hits(m: FileMatch, path: string, info: FileInfo): boolean {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return (
    (m.paths?.includes(path) ?? false) ||
    (m.basenames?.includes(base) ?? false) ||
    (dot >= 0 && (m.extensions?.some((e) => e.toLowerCase() === base.slice(dot + 1).toLowerCase()) ?? false)) ||
    (m.prefixes?.some((p) => path.startsWith(p)) ?? false) ||
    (m.executables === true && (info.mode & 0o111) !== 0)
  );
}

/** Whether `c` is asked about a file: its keys select it (hits) and its `wants` accepts it. */
export function selects(c: FileCataloger, path: string, info: FileInfo): boolean {
  return (!c.match || hits(c.match, path, info)) && c.wants(path, info);
}
