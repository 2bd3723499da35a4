import { describe, expect, it } from "vitest";
import { normalizeEntryPath, resolveInRoot } from "./paths.js";

describe("paths", () => {
  it("normalises tar names to image paths", () => {
    expect(normalizeEntryPath("./usr//lib/./x")).toBe("/usr/lib/x");
    expect(normalizeEntryPath("/etc/passwd")).toBe("/etc/passwd");
    expect(normalizeEntryPath("a/b/../c")).toBe("/a/c");
    expect(() => normalizeEntryPath("a/../../x")).toThrow(/leaves the image root/);
  });

  it("resolves symlinks chroot-style: .. and absolute targets stay inside the image", () => {
    const links = new Map([
      ["/etc/os-release", "../usr/lib/os-release"],
      ["/lib", "usr/lib"],
      ["/evil", "../../../../../etc/shadow"],
      ["/abs", "/etc/os-release"],
    ]);
    const get = (p: string) => links.get(p);
    expect(resolveInRoot("/etc/os-release", get)).toBe("/usr/lib/os-release");
    expect(resolveInRoot("/lib/os-release", get)).toBe("/usr/lib/os-release");
    expect(resolveInRoot("/evil", get)).toBe("/etc/shadow");
    expect(resolveInRoot("/abs", get)).toBe("/usr/lib/os-release");
  });

  it("detects symlink loops", () => {
    const links = new Map([
      ["/a", "b"],
      ["/b", "/a"],
    ]);
    expect(resolveInRoot("/a", (p) => links.get(p))).toBeUndefined();
  });
});
