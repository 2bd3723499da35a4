import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { FileInfo, FileMatch } from "@lookout/domain";
import { CATALOGERS } from "./registry.js";

describe("cataloger registry", () => {
  it("has unique names and integer versions", () => {
    const names = CATALOGERS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of CATALOGERS) expect(Number.isInteger(c.version) && c.version > 0).toBe(true);
  });

  it("registers the OS catalogers", () => {
    expect(CATALOGERS.map((c) => c.name)).toEqual(expect.arrayContaining(["dpkg", "apk", "rpm"]));
  });

  it("each OS database path is wanted by exactly one cataloger", () => {
    for (const p of ["/var/lib/dpkg/status", "/lib/apk/db/installed", "/var/lib/rpm/Packages", "/usr/lib/sysimage/rpm/rpmdb.sqlite"]) {
      expect(CATALOGERS.filter((c) => c.wants(p, { size: 100, mode: 0o644 })).map((c) => c.name)).toHaveLength(1);
    }
  });
});

/** Every regular file under `root`, as image paths below `prefix` with their real mode and size. */
function tree(root: string, prefix: string): [string, FileInfo][] {
  const out: [string, FileInfo][] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const host = join(dir, e.name);
      if (e.isDirectory()) walk(host);
      else if (e.isFile()) {
        const st = statSync(host);
        out.push([prefix + host.slice(root.length), { size: st.size, mode: st.mode & 0o777 }]);
      }
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

const hitsKeys = (m: FileMatch, path: string, info: FileInfo) => {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const ext = base.includes(".") ? base.slice(base.lastIndexOf(".") + 1).toLowerCase() : undefined;
  return (
    !!m.paths?.includes(path) ||
    !!m.basenames?.includes(base) ||
    (ext !== undefined && !!m.extensions?.includes(ext)) ||
    !!m.prefixes?.some((p) => path.startsWith(p)) ||
    (!!m.executables && (info.mode & 0o111) !== 0)
  );
};

describe("cataloger index keys (FileMatch)", () => {
  it("every cataloger declares keys, and every path its wants accepts hits one (real trees and edge cases)", () => {
    const repo = new URL("../../../", import.meta.url).pathname;
    const corpus: [string, FileInfo][] = [
      ...tree(join(repo, "packages/ecosystems/testdata"), "/t"),
      ...tree("/work/shared/fixtures", "/f"),
      ...tree(join(repo, "node_modules/.pnpm"), "/app/node_modules/.pnpm"),
      ...tree("/usr/lib/python3", "/usr/lib/python3"),
      ...tree("/var/lib/dpkg", "/var/lib/dpkg"),
      ...tree("/usr/bin", "/usr/bin"),
      ...[
        "/var/lib/dpkg/status.d/base-files",
        "/lib/apk/db/installed",
        "/usr/lib/sysimage/rpm/Packages.db",
        "/var/lib/rpmmanifest/container-manifest-2",
        "/srv/app/requirements/prod.txt",
        "/srv/dev-requirements.txt",
        "/usr/lib/python3/dist-packages/foo-1.0.egg-info",
        "/usr/lib/python3/site-packages/foo-1.0.egg/EGG-INFO/PKG-INFO",
        "/opt/App.JAR",
        "/usr/local/bundle/specifications/default/json-2.6.gemspec",
        "/app/gems.locked",
        "/app/vendor/composer/installed.json",
        "/app/bin/App.deps.json",
        "/app/packages.lock.json",
        "/app/node_modules/@scope/x/package.json",
        "/usr/share/doc/libc6/copyright",
      ].map((p): [string, FileInfo] => [p, { size: 4096, mode: 0o644 }]),
      ["/usr/local/bin/tool", { size: 1 << 20, mode: 0o755 }],
    ];
    expect(corpus.length).toBeGreaterThan(10_000);
    for (const c of CATALOGERS) {
      expect(c.match, c.name).toBeDefined();
      const missed = corpus.filter(([p, info]) => c.wants(p, info) && !hitsKeys(c.match!, p, info)).map(([p]) => p);
      expect(missed, c.name).toEqual([]);
    }
    // The corpus reaches every cataloger (else the check above proves nothing for it).
    for (const c of CATALOGERS) expect(corpus.some(([p, info]) => c.wants(p, info)), c.name).toBe(true);
  });

  it("a file named like an Object.prototype member is not an npm lockfile", () => {
    for (const p of ["/app/constructor", "/app/toString", "/app/__proto__", "/app/hasOwnProperty"]) {
      expect(CATALOGERS.filter((c) => c.wants(p, { size: 10, mode: 0o644 })).map((c) => c.name), p).toEqual([]);
    }
  });
});
