import { existsSync, lstatSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pythonDebianLicenses } from "../testing.js";
import { parseCopyrightLicenses } from "./parse-copyright.js";

describe("dpkg copyright licenses == python-debian", () => {
  it("every /usr/share/doc/*/copyright on this Debian host", () => {
    const doc = "/usr/share/doc";
    const files = readdirSync(doc)
      .filter((d) => !lstatSync(join(doc, d)).isSymbolicLink())
      .map((d) => join(doc, d, "copyright"))
      .filter((f) => existsSync(f) && lstatSync(f).isFile());
    expect(files.length).toBeGreaterThan(50);
    const oracle = pythonDebianLicenses(files);
    let machineReadable = 0;
    const refused: string[] = [];
    const mismatches: { path: string; ours: string[]; theirs: string[] }[] = [];
    for (const f of files) {
      const theirs = oracle[f];
      if (typeof theirs === "string") {
        refused.push(f);
        continue;
      }
      if (theirs && theirs.length > 0) machineReadable++;
      const ours = parseCopyrightLicenses(readFileSync(f, "utf8"));
      // Same names; python-debian lists Files paragraphs before License paragraphs, we keep file order.
      if (JSON.stringify([...ours].sort()) !== JSON.stringify([...(theirs ?? [])].sort())) mismatches.push({ path: f, ours, theirs: theirs ?? [] });
    }
    expect(mismatches).toEqual([]);
    expect(machineReadable).toBeGreaterThan(files.length / 3);
    // Files python-debian itself rejects (malformed continuation lines) are few.
    expect(refused.length).toBeLessThan(files.length / 20);
  });
});
