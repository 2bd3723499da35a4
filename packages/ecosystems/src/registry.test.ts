import { describe, expect, it } from "vitest";
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
