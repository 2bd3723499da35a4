import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isLookoutError } from "@lookout/domain";
import type { ParseWarning } from "./model.js";
import { osvParseMode, parseOsv, parseOsvJson } from "./osv.js";

const OSV = join(import.meta.dirname, "../testdata/osv");
const text = (p: string): string => readFileSync(join(OSV, p), "utf8");
const json = (p: string): Record<string, unknown> => JSON.parse(text(p)) as Record<string, unknown>;

function rejection(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(isLookoutError(e, "LKT_ERR_ADVISORY_INVALID")).toBe(true);
    expect((e as Error).message).not.toContain("\n");
    return (e as Error).message;
  }
  throw new Error("expected a rejection");
}

describe("parseOsv on every real fixture record", () => {
  const files = readdirSync(OSV, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".json"));
  it("finds the fixture set", () => expect(files.length).toBeGreaterThan(60));
  it.each(files)("%s parses", (f) => {
    const adv = parseOsvJson(text(f));
    expect(adv.id).toBe(json(f).id);
    expect(adv.modified).toBe(json(f).modified);
  });
});

describe("normalisation", () => {
  it("splits distro ecosystems into base + release", () => {
    const alpine = parseOsv(json("alpine/ALPINE-CVE-2025-26519.json"));
    expect(alpine.affected.map((a) => [a.ecosystem, a.ecosystemRelease])).toContainEqual(["Alpine", "v3.19"]);
    const ubuntu = parseOsv(json("ubuntu/UBUNTU-CVE-2006-20001.json"));
    const rels = ubuntu.affected.map((a) => `${a.ecosystem}|${a.ecosystemRelease}`);
    expect(rels).toContain("Ubuntu|22.04:LTS");
    expect(rels).toContain("Ubuntu|Pro:14.04:LTS");
    const rh = parseOsv(json("redhat/RHSA-2024_4546.json"));
    expect(rh.affected[0]).toMatchObject({ ecosystem: "Red Hat", ecosystemRelease: "rhel_aus:8.6::appstream", name: "git-lfs" });
    const dla = parseOsv(json("debian/DLA-3008-1.json"));
    expect(dla.affected[0]).toMatchObject({ ecosystem: "Debian", ecosystemRelease: "9", name: "openssl" });
    expect(dla.affected[0]?.ranges[0]?.events).toEqual([{ kind: "introduced", version: "0" }, { kind: "fixed", version: "1.1.0l-1~deb9u6" }]);
    expect(dla.upstream).toEqual(["CVE-2022-1292", "DEBIAN-CVE-2022-1292"]);
  });

  it("canonicalises the base name case (Bitnami publishes 'bitnami')", () => {
    const bit = parseOsv(json("bitnami/BIT-2020-12603.json"));
    expect(bit.affected[0]?.ecosystem).toBe("Bitnami");
    expect(bit.severityWord).toBe("High");
  });

  it("keeps withdrawn, severities and database words", () => {
    expect(parseOsv(json("go/GO-2022-0617.withdrawn.json")).withdrawn).toBe("2024-08-21T16:25:56Z");
    const py = parseOsv(json("pypi/PYSEC-2026-1.json"));
    expect(py.severity.map((s) => s.type)).toEqual(["CVSS_V3", "CVSS_V4"]);
    expect(parseOsv(json("maven/GHSA-269g-pwp5-87pp.json")).severityWord).toBe("MODERATE");
    const u = parseOsv(json("ubuntu/UBUNTU-CVE-2023-38545.json"));
    expect(u.severity).toContainEqual({ type: "Ubuntu", score: "high" });
  });

  it("drops repository-only (GIT, no package) affected entries with a warning", () => {
    const warnings: ParseWarning[] = [];
    const adv = parseOsv(json("git/CVE-2024-51757.json"), { onWarning: (w) => warnings.push(w) });
    expect(adv.affected).toEqual([]);
    expect(warnings[0]).toMatchObject({ advisoryId: "CVE-2024-51757", field: "affected.0.package" });
  });

  it("keeps GIT ranges next to ECOSYSTEM ones (the evaluator ignores them)", () => {
    const adv = parseOsv(json("pypi/PYSEC-2023-74.json"));
    expect(adv.affected[0]?.ranges.map((r) => r.type)).toEqual(expect.arrayContaining(["ECOSYSTEM", "GIT"]));
  });

  it("truncates long details", () => {
    const rec = { ...json("npm/GHSA-whgm-jr23-g3j9.json"), details: "x".repeat(50_000) };
    expect(parseOsv(rec).details?.length).toBeLessThanOrEqual(10_001);
  });
});

describe("ranges dropped, record kept", () => {
  const base = json("npm/GHSA-whgm-jr23-g3j9.json");
  const withRanges = (ranges: unknown[]): Record<string, unknown> => ({
    ...base,
    affected: [{ package: { ecosystem: "npm", name: "ansi-html" }, ranges }],
  });
  const good = { type: "SEMVER", events: [{ introduced: "0" }, { fixed: "0.0.8" }] };
  it.each([
    ["unknown range type", { type: "DATE", events: [{ introduced: "2020" }] }, "unknown range type"],
    ["event with two kinds", { type: "SEMVER", events: [{ introduced: "0", fixed: "1.0.0" }] }, "exactly one"],
    ["event version not a string", { type: "SEMVER", events: [{ introduced: 1 }] }, "exactly one"],
    ["no introduced event", { type: "SEMVER", events: [{ fixed: "1.0.0" }] }, "no introduced"],
    ["empty events", { type: "SEMVER", events: [] }, "events"],
  ])("%s", (_name, bad, reason) => {
    const warnings: ParseWarning[] = [];
    const adv = parseOsv(withRanges([bad, good]), { onWarning: (w) => warnings.push(w) });
    expect(adv.affected[0]?.ranges).toEqual([{ type: "SEMVER", events: [{ kind: "introduced", version: "0" }, { kind: "fixed", version: "0.0.8" }] }]);
    expect(warnings).toHaveLength(1);
    expect(`${warnings[0]?.field} ${warnings[0]?.reason}`).toContain(reason);
  });
});

describe("malformed records are rejected naming the field", () => {
  const base = json("npm/GHSA-whgm-jr23-g3j9.json");
  it.each([
    ["not an object", [], "(record)"],
    ["null", null, "(record)"],
    ["missing id", { ...base, id: undefined }, "id"],
    ["missing modified", { ...base, modified: undefined }, "modified"],
    ["aliases not an array", { ...base, aliases: "CVE-1" }, "aliases"],
    ["package name a number", { ...base, affected: [{ package: { ecosystem: "npm", name: 5 } }] }, "affected.0.package.name"],
    ["versions holds a number", { ...base, affected: [{ package: { ecosystem: "npm", name: "x" }, versions: ["1", 2] }] }, "affected.0.versions.1"],
    ["id with spaces", { ...base, id: "GHSA x" }, "id"],
  ])("%s", (_n, rec, field) => {
    expect(rejection(() => parseOsv(rec))).toContain(field);
  });

  it("a UTF-8 BOM is tolerated", () => {
    expect(parseOsvJson(`\ufeff${text("npm/GHSA-whgm-jr23-g3j9.json")}`).id).toBe("GHSA-whgm-jr23-g3j9");
  });

  it("invalid JSON", () => {
    expect(rejection(() => parseOsvJson("{ not json"))).toContain("invalid JSON");
  });

  it("thousands of ranges: rejected with the cap as reason, before deep validation", () => {
    const ranges = Array.from({ length: 3_000 }, (_, i) => ({ type: "SEMVER", events: [{ introduced: `${i}.0.0` }] }));
    const msg = rejection(() => parseOsv({ ...base, affected: [{ package: { ecosystem: "npm", name: "x" }, ranges }] }));
    expect(msg).toMatch(/GHSA-whgm-jr23-g3j9: affected\.ranges: 6000 ranges\+events exceed the cap of 5000/);
  });

  it("too many affected entries", () => {
    const affected = Array.from({ length: 6_000 }, () => ({ package: { ecosystem: "npm", name: "x" } }));
    expect(rejection(() => parseOsv({ ...base, affected }))).toContain("exceed the cap");
  });

  it("caps are configurable", () => {
    const ranges = [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed: "1.0.0" }] }];
    const rec = { ...base, affected: [{ package: { ecosystem: "npm", name: "x" }, ranges }] };
    expect(rejection(() => parseOsv(rec, { limits: { maxRangeEvents: 2 } }))).toContain("cap of 2");
  });
});

describe("the hand-written validation path agrees with zod", () => {
  const files = readdirSync(OSV, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".json"));
  // Outcome of one parse: the advisory or the error message, and the warnings.
  function outcome(input: unknown, zodOnly: boolean): unknown {
    osvParseMode.zodOnly = zodOnly;
    const warnings: ParseWarning[] = [];
    try {
      return { adv: parseOsv(structuredClone(input), { onWarning: (w) => warnings.push(w) }), warnings };
    } catch (e) {
      return { error: (e as Error).message, warnings };
    } finally {
      osvParseMode.zodOnly = false;
    }
  }
  // Each mutation breaks (or bends) one thing a schema checks.
  const mutations: [string, (r: Record<string, any>) => void][] = [
    ["as is", () => {}],
    ["id a number", (r) => { r.id = 7; }],
    ["id not an OSV id", (r) => { r.id = "-x y"; }],
    ["modified empty", (r) => { r.modified = ""; }],
    ["published null", (r) => { r.published = null; }],
    ["withdrawn too long", (r) => { r.withdrawn = "x".repeat(65); }],
    ["aliases holding a number", (r) => { r.aliases = ["CVE-1", 2]; }],
    ["related an object", (r) => { r.related = { a: 1 }; }],
    ["summary a number", (r) => { r.summary = 1; }],
    ["severity entry without score", (r) => { r.severity = [{ type: "CVSS_V3" }]; }],
    ["severity 101 entries", (r) => { r.severity = Array.from({ length: 101 }, () => ({ type: "X", score: "1" })); }],
    ["database_specific an array", (r) => { r.database_specific = []; }],
    ["reference url missing", (r) => { r.references = [{ type: "WEB" }]; }],
    ["affected an object", (r) => { r.affected = {}; }],
    ["affected entry a string", (r) => { r.affected = ["x"]; }],
    ["package name empty", (r) => { if (r.affected?.[0]?.package) r.affected[0].package.name = ""; }],
    ["package ecosystem a number", (r) => { if (r.affected?.[0]?.package) r.affected[0].package.ecosystem = 1; }],
    ["purl null", (r) => { if (r.affected?.[0]?.package) r.affected[0].package.purl = null; }],
    ["versions holding null", (r) => { if (r.affected?.[0]) r.affected[0].versions = ["1", null]; }],
    ["ecosystem_specific a string", (r) => { if (r.affected?.[0]) r.affected[0].ecosystem_specific = "x"; }],
    ["ranges an object", (r) => { if (r.affected?.[0]) r.affected[0].ranges = {}; }],
    ["range without events", (r) => { if (r.affected?.[0]?.ranges?.[0]) r.affected[0].ranges[0].events = []; }],
    ["range event a string", (r) => { if (r.affected?.[0]?.ranges?.[0]) r.affected[0].ranges[0].events = ["introduced"]; }],
    ["range type a number", (r) => { if (r.affected?.[0]?.ranges?.[0]) r.affected[0].ranges[0].type = 3; }],
    ["range repo null", (r) => { if (r.affected?.[0]?.ranges?.[0]) r.affected[0].ranges[0].repo = null; }],
    ["unknown fields", (r) => { r.extra = { a: [1] }; if (r.affected?.[0]) r.affected[0].extra = 1; }],
  ];
  it.each(files)("%s, as is and with each schema rule broken", (f) => {
    for (const [, mutate] of mutations) {
      const r = json(f);
      mutate(r);
      expect(outcome(r, false)).toEqual(outcome(r, true));
    }
  });
});

describe("parseOsvJson and U+0000", () => {
  it("rejects a record holding U+0000 (Postgres cannot store it), keeps one that only spells \\u0000", () => {
    const rec = (summary: string) => JSON.stringify({ id: "NUL-1", modified: "2026-01-01T00:00:00Z", summary });
    expect(rejection(() => parseOsvJson(rec("a\u0000b")))).toBe("NUL-1: (record): holds a U+0000 character, which cannot be stored");
    expect(parseOsvJson(rec("a\\u0000b")).summary).toBe("a\\u0000b");
  });
});
