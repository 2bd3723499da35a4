import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isLookoutError } from "@lookout/domain";
import type { FileCataloger, Package } from "../types.js";
import { layerFileFrom, parseWith, recordingContext, tempLayerFile, testdata } from "../npm/testing.js";
import { javaCataloger } from "./index.js";
import { buildZip, membersOf } from "./jar.testutil.js";
import { catalogArchive } from "./parse-archive.js";
import { DEFAULT_LIMITS } from "./zip.js";

const java: FileCataloger = javaCataloger;
const jar = (name: string) => readFileSync(testdata(`java/jars/${name}`));
const coords = (pkgs: Package[]) => pkgs.map((p) => `${p.name}@${p.version}${p.meta?.archivePath ? ` in ${p.meta.archivePath}` : ""}${p.meta?.source === "manifest" ? " (manifest)" : ""}`);

async function catalog(content: Buffer, path = "/app/app.jar", limits = DEFAULT_LIMITS) {
  const file = await tempLayerFile(content, path);
  const ctx = recordingContext();
  const pkgs = await catalogArchive(await file.hostPath(), file.path, ctx, limits);
  return { pkgs, unknowns: ctx.unknowns };
}

describe("java archives: real jars from Maven Central", () => {
  it.each([
    ["plexus-component-annotations-2.1.0.jar", ["org.codehaus.plexus:plexus-component-annotations@2.1.0"]],
    // surefire-api shades plexus-utils: two pom.properties, both reported.
    ["surefire-api-2.12.4.jar", ["org.apache.maven.surefire:surefire-api@2.12.4", "org.codehaus.plexus:plexus-utils@3.0.8"]],
    ["opentest4j-1.2.0.jar", ["org.opentest4j:opentest4j@1.2.0 (manifest)"]],
    // No group anywhere in the jar: only the artifact id is known.
    ["jcip-annotations-1.0.jar", ["jcip-annotations@1.0 (manifest)"]],
  ])("%s", async (name, want) => {
    const path = `/usr/share/java/${name}`;
    expect(java.wants(path, { size: 5000, mode: 0o644 })).toBe(true);
    const pkgs = await parseWith(java, layerFileFrom(testdata(`java/jars/${name}`), path));
    expect(coords(pkgs).sort()).toEqual(want);
    expect(pkgs.every((p) => p.type === "java-archive" && p.ecosystem === "Maven" && p.path === path)).toBe(true);
  });

  it("builds maven purls", async () => {
    const pkgs = await parseWith(java, layerFileFrom(testdata("java/jars/plexus-component-annotations-2.1.0.jar"), "/a.jar"));
    expect(pkgs[0]?.purl).toBe("pkg:maven/org.codehaus.plexus/plexus-component-annotations@2.1.0");
  });
});

describe("java archives: real jar members (syft and claircore fixtures) packed into jars", () => {
  it.each([
    ["api-all-2.0.0-sources.jar", ["org.apache.directory.api:api-all@2.0.0", "org.apache.directory.api:api-asn1-api@2.0.0"]],
    ["opensaml-core-3.4.6.jar", ["org.opensaml:opensaml-core@3.4.6"]],
    ["jackson-core-2.15.2.jar", ["com.fasterxml.jackson.core:jackson-core@2.15.2 (manifest)"]],
    ["spring-instrumentation-4.3.0-1.0.jar", ["spring-instrumentation@1.0 (manifest)"]],
  ])("%s", async (dir, want) => {
    const { pkgs } = await catalog(await buildZip(membersOf(testdata(`java/${dir}`))), `/opt/lib/${dir}`);
    expect(coords(pkgs).sort()).toEqual(want);
  });

  const CLAIRCORE: [string, string, string][] = [
    // [jar, coordinates from its real pom.properties, manifest-only guess]
    ["commons-lang3-3.11.jar", "org.apache.commons:commons-lang3@3.11", "org.apache.commons:commons-lang3@3.11"],
    // Known miss of the manifest guess: the real group is com.google.guava (pom.properties wins).
    ["guava-27.0-jre.jar", "com.google.guava:guava@27.0-jre", "com.google:guava@27.0-jre"],
    ["jackson-databind-2.9.10.8.jar", "com.fasterxml.jackson.core:jackson-databind@2.9.10.8", "com.fasterxml.jackson.core:jackson-databind@2.9.10.8"],
    ["logback-classic-1.2.3.jar", "ch.qos.logback:logback-classic@1.2.3", "ch.qos.logback:logback-classic@1.2.3"],
    ["netty-all-4.1.58.Final.jar", "io.netty:netty-all@4.1.58.Final", "io.netty:netty-all@4.1.58.Final"],
    ["snakeyaml-1.26.jar", "org.yaml:snakeyaml@1.26", "org.yaml:snakeyaml@1.26"],
  ];
  it.each(CLAIRCORE)("%s: pom.properties, then MANIFEST.MF alone", async (name, fromPom, fromManifest) => {
    const manifest = readFileSync(testdata(`java/claircore-real-jars/${name}.MANIFEST.MF`));
    const props = readFileSync(testdata(`java/claircore-real-jars/${name}.pom.properties`));
    const [g, a] = fromPom.split("@")[0]!.split(":");
    const full = await catalog(await buildZip({ "META-INF/MANIFEST.MF": manifest, [`META-INF/maven/${g}/${a}/pom.properties`]: props }), `/app/${name}`);
    expect(coords(full.pkgs)).toEqual([fromPom]);
    const manifestOnly = await catalog(await buildZip({ "META-INF/MANIFEST.MF": manifest }), `/app/${name}`);
    expect(coords(manifestOnly.pkgs)).toEqual([`${fromManifest} (manifest)`]);
  });
});

describe("java archives: nesting", () => {
  it("war: WEB-INF/lib jars, with the path inside the war", async () => {
    const war = await buildZip({
      "WEB-INF/web.xml": "<web-app/>",
      "WEB-INF/lib/plexus-component-annotations-2.1.0.jar": jar("plexus-component-annotations-2.1.0.jar"),
      "WEB-INF/lib/opentest4j-1.2.0.jar": jar("opentest4j-1.2.0.jar"),
    });
    const { pkgs } = await catalog(war, "/srv/app.war");
    expect(coords(pkgs).sort()).toEqual([
      "org.codehaus.plexus:plexus-component-annotations@2.1.0 in WEB-INF/lib/plexus-component-annotations-2.1.0.jar",
      "org.opentest4j:opentest4j@1.2.0 in WEB-INF/lib/opentest4j-1.2.0.jar (manifest)",
    ]);
    expect(pkgs.every((p) => p.path === "/srv/app.war")).toBe(true);
  });

  it("spring boot: stored BOOT-INF/lib jars; ear → war → jar", async () => {
    const boot = await buildZip({ "BOOT-INF/lib/surefire-api-2.12.4.jar": jar("surefire-api-2.12.4.jar") }, { store: true });
    expect(coords((await catalog(boot)).pkgs).sort()).toEqual([
      "org.apache.maven.surefire:surefire-api@2.12.4 in BOOT-INF/lib/surefire-api-2.12.4.jar",
      "org.codehaus.plexus:plexus-utils@3.0.8 in BOOT-INF/lib/surefire-api-2.12.4.jar",
    ]);
    const war = await buildZip({ "WEB-INF/lib/plexus-component-annotations-2.1.0.jar": jar("plexus-component-annotations-2.1.0.jar") });
    const ear = await buildZip({ "web.war": war });
    expect(coords((await catalog(ear, "/app.ear")).pkgs)).toEqual([
      "org.codehaus.plexus:plexus-component-annotations@2.1.0 in web.war!/WEB-INF/lib/plexus-component-annotations-2.1.0.jar",
    ]);
  });

  it("deeply nested jars stop at the depth cap with an unknown, keeping what was found", async () => {
    let inner: Buffer = jar("plexus-component-annotations-2.1.0.jar");
    for (let level = 7; level >= 1; level--) {
      inner = await buildZip({ [`lib/level${level}.jar`]: inner, "META-INF/MANIFEST.MF": `Implementation-Version: ${level}.0\n` });
    }
    const { pkgs, unknowns } = await catalog(inner, "/app/outer.jar");
    // The top-level archive (1.0) and four nested levels (2.0-5.0) are read; the fifth nested one is not.
    expect(pkgs.map((p) => p.version)).toEqual(["1.0", "2.0", "3.0", "4.0", "5.0"]);
    expect(unknowns).toHaveLength(1);
    expect(unknowns[0]?.reason).toMatch(/nested deeper than 4/);
  });

  it("a corrupt nested jar is recorded as an unknown; its siblings are still read", async () => {
    const war = await buildZip({
      "WEB-INF/lib/broken-1.0.jar": Buffer.from("PK\u0003\u0004 this is not really a zip"),
      "WEB-INF/lib/plexus-component-annotations-2.1.0.jar": jar("plexus-component-annotations-2.1.0.jar"),
    });
    const { pkgs, unknowns } = await catalog(war, "/srv/app.war");
    expect(coords(pkgs)).toHaveLength(1);
    expect(unknowns.map((u) => u.path)).toEqual(["/srv/app.war!/WEB-INF/lib/broken-1.0.jar"]);
  });
});

describe("java archives: hostile input", () => {
  it("a zip bomb posing as a jar is refused before inflating", async () => {
    // 64 MiB of zeros deflates to ~64 KiB: declared size over the metadata cap and ratio ~1000.
    const bomb = await buildZip({ "META-INF/MANIFEST.MF": Buffer.alloc(64 * 1024 * 1024) });
    const before = process.memoryUsage().arrayBuffers;
    const err: unknown = await catalog(bomb).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_ARCHIVE_LIMIT")).toBe(true);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 1024 * 1024);
  });

  it("a nested bomb is an unknown; the outer archive's packages survive", async () => {
    // Stored inner jar: 8 MiB as a member of the outer jar, which deflates it to a few KiB.
    const bombJar = await buildZip({ "META-INF/maven/x/y/pom.properties": "groupId=x\nartifactId=y\nversion=1\n", "pad.bin": Buffer.alloc(8 * 1024 * 1024) }, { store: true });
    const outer = await buildZip({
      "BOOT-INF/lib/bomb.jar": bombJar,
      "META-INF/maven/org.example/app/pom.properties": "groupId=org.example\nartifactId=app\nversion=1.0.0\n",
    });
    const { pkgs, unknowns } = await catalog(outer, "/app.jar", { ...DEFAULT_LIMITS, maxNestedBytes: 1024 * 1024 });
    expect(coords(pkgs)).toEqual(["org.example:app@1.0.0"]);
    expect(unknowns[0]).toMatchObject({ path: "/app.jar!/BOOT-INF/lib/bomb.jar", reason: expect.stringMatching(/over the 1048576 byte cap/) });
  });

  it("a member that inflates past its declared size is a typed error", async () => {
    const zip = await buildZip({ "META-INF/MANIFEST.MF": "Implementation-Version: 1.0\n" + "X".repeat(4000) });
    // Lie in both headers: declare 100 bytes for a ~4 KiB member.
    const local = zip.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt32LE(100, local + 22);
    zip.writeUInt32LE(100, central + 24);
    const err: unknown = await catalog(zip).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_PACKAGE_DB_INVALID")).toBe(true);
  });

  it("too many entries is refused from the central directory alone", async () => {
    const members = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`c/C${i}.class`, "x"]));
    const err: unknown = await catalog(await buildZip(members), "/a.jar", { ...DEFAULT_LIMITS, maxEntries: 20 }).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_ARCHIVE_LIMIT")).toBe(true);
  });

  it("garbage named .jar is a typed error", async () => {
    const err: unknown = await catalog(Buffer.from("definitely not a zip file".repeat(10))).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_PACKAGE_DB_INVALID")).toBe(true);
  });
});
