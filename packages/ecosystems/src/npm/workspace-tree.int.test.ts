import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { FileCataloger } from "../types.js";
import { npmCataloger } from "./index.js";
import { layerFileFrom, parseWith } from "./testing.js";

const npm: FileCataloger = npmCataloger;
const REPO = new URL("../../../../", import.meta.url).pathname;

function kind(p: string): "dir" | "file" | "link" | undefined {
  try {
    const st = lstatSync(p);
    return st.isSymbolicLink() ? "link" : st.isDirectory() ? "dir" : st.isFile() ? "file" : undefined;
  } catch {
    return undefined;
  }
}

/** Every real (non-symlink) package directory of the pnpm store: `.pnpm/<id>/node_modules/<name>`. */
function storePackageJsons(): { hostPath: string; name: string }[] {
  const store = join(REPO, "node_modules", ".pnpm");
  const out: { hostPath: string; name: string }[] = [];
  for (const id of readdirSync(store)) {
    const nm = join(store, id, "node_modules");
    if (kind(nm) !== "dir") continue;
    for (const entry of readdirSync(nm)) {
      const names = entry.startsWith("@") ? readdirSync(join(nm, entry)).map((n) => `${entry}/${n}`) : [entry];
      for (const name of names) {
        const pj = join(nm, name, "package.json");
        if (kind(join(nm, name)) === "dir" && kind(pj) === "file") out.push({ hostPath: pj, name });
      }
    }
  }
  return out;
}

/**
 * A real installed tree checked against its real lockfile: this repository's own pnpm store
 * (installed by `pnpm install`) and pnpm-lock.yaml (a pnpm 9 lockfile with a package-manager
 * document first). Every installed package must be in the lockfile, and every locked package
 * that is not installed must be one pnpm skips on this platform (os/cpu/libc) or optional.
 */
describe("npm: workspace install vs its pnpm-lock.yaml", () => {
  it("installed tree ⊆ lockfile; the difference is platform-specific or optional", async () => {
    const installed = new Set<string>();
    for (const { hostPath, name } of storePackageJsons()) {
      for (const p of await parseWith(npm, layerFileFrom(hostPath, `/app/node_modules/${name}/package.json`))) installed.add(`${p.name}@${p.version}`);
    }
    const lockPath = join(REPO, "pnpm-lock.yaml");
    const locked = new Set((await parseWith(npm, layerFileFrom(lockPath, "/app/pnpm-lock.yaml"))).map((p) => `${p.name}@${p.version}`));
    expect(installed.size).toBeGreaterThan(100);
    expect([...installed].filter((k) => !locked.has(k))).toEqual([]);

    const doc = parseAllDocuments(readFileSync(lockPath, "utf8"));
    const last = (Array.isArray(doc) ? doc : [doc]).at(-1)!.toJS() as {
      packages: Record<string, { os?: unknown; cpu?: unknown; libc?: unknown }>;
      snapshots?: Record<string, { optional?: boolean }>;
    };
    const skippable = (key: string): boolean => {
      const meta = last.packages[key];
      if (meta?.os || meta?.cpu || meta?.libc) return true;
      return Object.entries(last.snapshots ?? {}).some(([k, s]) => (k === key || k.startsWith(`${key}(`)) && s.optional === true);
    };
    expect([...locked].filter((k) => !installed.has(k) && !skippable(k))).toEqual([]);
  });
});
