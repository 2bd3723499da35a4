import { describe, expect, it } from "vitest";
import { secdbFromOsv } from "../../testing/secdb.js";
import { convertSecdb } from "./convert.js";

describe("convertSecdb", () => {
  it("one record per (package, issue) for Alpine:<branch>, fixed at the listed version, '0' left out", () => {
    const items = [...convertSecdb(secdbFromOsv("v3.19"), "v3.19")];
    expect(items).toHaveLength(1);
    const adv = "ok" in items[0]! ? items[0].ok : undefined;
    expect(adv?.id).toBe("ALPINE-SECDB:v3.19:musl:CVE-2025-26519");
    expect(adv?.aliases).toEqual(["CVE-2025-26519"]);
    expect(adv?.affected[0]).toMatchObject({ ecosystem: "Alpine", ecosystemRelease: "v3.19", name: "musl" });
    expect(adv?.affected[0]!.ranges[0]!.events).toEqual([{ kind: "introduced", version: "0" }, { kind: "fixed", version: "1.2.4_git20230717-r5" }]);
  });

  it("a document without packages or a package without secfixes is an error item, not a throw", () => {
    expect([...convertSecdb({ distroversion: "v3.19" }, "v3.19")]).toEqual([{ error: "secdb document has no packages array", entry: "v3.19" }]);
    expect([...convertSecdb({ packages: [{ pkg: { name: "x" } }] }, "v3.20")]).toEqual([{ error: "package without name or secfixes", entry: "v3.20/packages/0" }]);
  });
});
