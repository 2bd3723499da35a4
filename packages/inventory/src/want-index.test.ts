import { describe, expect, it } from "vitest";
import type { FileCataloger, FileInfo } from "@lookout/domain";
import { hits, WantIndex } from "./want-index.js";

/** A cataloger that records which paths its wants was asked about. */
function probe(name: string, match: FileCataloger["match"], wants: (p: string, i: FileInfo) => boolean) {
  const asked: string[] = [];
  const c: FileCataloger = { name, version: 1, match, wants: (p, i) => (asked.push(p), wants(p, i)), parse: async () => [] };
  return { c, asked };
}

const file = { size: 10, mode: 0o644 };
const exe = { size: 1 << 20, mode: 0o755 };

describe("WantIndex", () => {
  it("asks a cataloger only about entries that hit its keys; one without keys about every entry", () => {
    const status = probe("status", { paths: ["/var/lib/dpkg/status"], prefixes: ["/var/lib/dpkg/status.d/"] }, () => true);
    const pkg = probe("pkg", { basenames: ["package.json"] }, (p) => p.includes("/node_modules/"));
    const jar = probe("jar", { extensions: ["jar"] }, () => true);
    const bin = probe("bin", { executables: true }, (_p, i) => i.size > 1000);
    const all = probe("all", undefined, () => false);
    const index = new WantIndex([status.c, pkg.c, jar.c, bin.c, all.c]);
    const entries: [string, FileInfo, boolean][] = [
      ["/var/lib/dpkg/status", file, true],
      ["/var/lib/dpkg/status.d/dash", file, true],
      ["/var/lib/dpkg/statusx", file, false],
      ["/app/node_modules/a/package.json", file, true],
      ["/app/package.json", file, false],
      ["/opt/Lib.JAR", file, true],
      ["/opt/jar", file, false],
      ["/usr/bin/tool", exe, true],
      ["/usr/bin/small", { size: 10, mode: 0o700 }, false],
      ["/etc/passwd", file, false],
    ];
    for (const [p, info, want] of entries) expect(index.wants(p, info), p).toBe(want);
    expect(status.asked).toEqual(["/var/lib/dpkg/status", "/var/lib/dpkg/status.d/dash"]);
    expect(pkg.asked).toEqual(["/app/node_modules/a/package.json", "/app/package.json"]);
    expect(jar.asked).toEqual(["/opt/Lib.JAR"]);
    expect(bin.asked).toEqual(["/usr/bin/tool", "/usr/bin/small"]);
    expect(all.asked).toEqual(entries.map(([p]) => p));
  });

  it("hits() agrees with the index for a single cataloger", () => {
    const m = { basenames: ["go.mod"], extensions: ["Gemspec"], executables: true };
    expect(hits(m, "/src/go.mod", file)).toBe(true);
    expect(hits(m, "/x/specifications/a.gemspec", file)).toBe(true);
    expect(hits(m, "/usr/bin/x", exe)).toBe(true);
    expect(hits(m, "/src/go.sum", file)).toBe(false);
  });
});
