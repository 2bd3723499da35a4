import { readFileSync } from "node:fs";

/** A secdb document whose values come from the real ALPINE-CVE-2025-26519 record (musl, v3.19). */
export function secdbFromOsv(branch: string): unknown {
  const rec = JSON.parse(readFileSync(new URL("../../testdata/alpine/ALPINE-CVE-2025-26519.json", import.meta.url), "utf8")) as {
    id: string; affected: { package: { ecosystem: string; name: string }; ranges: { events: Record<string, string>[] }[] }[];
  };
  const aff = rec.affected.find((a) => a.package.ecosystem === `Alpine:${branch}`)!;
  const fixed = aff.ranges[0]!.events.find((e) => e.fixed)!.fixed!;
  return {
    distroversion: branch, reponame: "main", urlprefix: "https://dl-cdn.alpinelinux.org/alpine",
    packages: [{ pkg: { name: aff.package.name, secfixes: { [fixed]: [rec.id.replace(/^ALPINE-/, "")], 0: ["CVE-2000-0001"] } } }],
  };
}
