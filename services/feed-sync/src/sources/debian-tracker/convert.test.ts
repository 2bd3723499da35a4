import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Advisory } from "@lookout/advisories";
import { match } from "@lookout/matching";
import { convertTrackerPackage } from "./convert.js";

const sample = (f: string) => JSON.parse(readFileSync(new URL(`../../../testdata/debian/${f}`, import.meta.url), "utf8")) as Record<string, unknown>;
const okOf = (items: ReturnType<typeof convertTrackerPackage>): Advisory[] => items.flatMap((i) => ("ok" in i ? [i.ok] : []));

describe("convertTrackerPackage", () => {
  const osvdev = sample("tracker-data-json.osv.dev-sample.json");
  const vunnel = sample("tracker-data-json.vunnel-sample.json");

  it("drops issues every release marks not affected (resolved with fixed_version 0)", () => {
    const ids = okOf(convertTrackerPackage("apparmor", osvdev.apparmor, { unknownReleases: 0 })).map((a) => a.id);
    expect(ids).toEqual(["DEBIAN-TRACKER:apparmor:CVE-2016-1585", "DEBIAN-TRACKER:apparmor:CVE-2017-6507"]);
  });

  it("maps codenames to release numbers, open issues to introduced-only ranges and keeps the triage words", () => {
    const [adv] = okOf(convertTrackerPackage("apparmor", osvdev.apparmor, { unknownReleases: 0 }));
    expect(adv!.aliases).toEqual(["CVE-2016-1585"]);
    const byRel = Object.fromEntries(adv!.affected.map((a) => [a.ecosystemRelease, a]));
    expect(Object.keys(byRel).sort()).toEqual(["10", "11", "12", "13"]); // sid has no number
    expect(byRel["12"]!.ranges[0]!.events).toEqual([{ kind: "introduced", version: "0" }]);
    expect(byRel["12"]!.status).toBe("unimportant");
    expect(byRel["13"]!.ranges[0]!.events).toEqual([{ kind: "introduced", version: "0" }, { kind: "fixed", version: "3.0.12-1" }]);
  });

  it("end-of-life releases become end-of-life findings in the matcher", () => {
    const advs = okOf(convertTrackerPackage("chromium", vunnel.chromium, { unknownReleases: 0 }));
    const pkg = { type: "deb", name: "chromium", version: "90.0.4430.212-1~deb10u1", ecosystem: "Debian", purl: "pkg:deb/debian/chromium", path: "var/lib/dpkg/status" };
    const lookup = (eco: string, name: string) => (eco === "Debian" && name === "chromium" ? advs : []);
    const buster = match({ distro: { id: "debian", versionId: "10" }, packages: [pkg] }, lookup);
    expect(buster.map((f) => [f.advisoryId, f.state])).toEqual([["CVE-2022-0456", "end-of-life"]]);
    const bullseye = match({ distro: { id: "debian", versionId: "11" }, packages: [{ ...pkg, version: "98.0.4758.80-1~deb11u1" }] }, lookup);
    expect(bullseye).toEqual([]); // fixed in bullseye at exactly that version
  });

  it("no-dsa, postponed and ignored: SYNTHETIC tracker entries (the fixtures hold none) keep their word", () => {
    const items = okOf(convertTrackerPackage("pkgx", {
      "CVE-2024-0001": { releases: {
        bookworm: { status: "open", urgency: "low", nodsa: "Minor issue", nodsa_reason: "" },
        bullseye: { status: "open", urgency: "low", nodsa: "Minor issue", nodsa_reason: "postponed" },
        buster: { status: "open", urgency: "low", nodsa: "Minor issue", nodsa_reason: "ignored" },
        hamm: { status: "open", urgency: "low" },
      } },
    }, { unknownReleases: 0 }));
    expect(Object.fromEntries(items[0]!.affected.map((a) => [a.ecosystemRelease, a.status]))).toEqual({ 12: "no-dsa", 11: "postponed", 10: "ignored" });
  });

  it("counts unknown codenames and rejects non-object entries without throwing", () => {
    const stats = { unknownReleases: 0 };
    const items = convertTrackerPackage("pkgx", { "CVE-2024-0002": { releases: { hamm: { status: "open" } } }, "CVE-2024-0003": 7 }, stats);
    expect(stats.unknownReleases).toBe(1);
    expect(items).toEqual([{ error: "issue entry is not an object", entry: "pkgx/CVE-2024-0003" }]);
    expect(convertTrackerPackage("pkgy", [], stats)).toEqual([{ error: "package entry is not an object", entry: "pkgy" }]);
  });
});
