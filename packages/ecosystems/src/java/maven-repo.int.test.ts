import { readdirSync, realpathSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import type { FileCataloger } from "../types.js";
import { layerFileFrom, parseWith } from "../npm/testing.js";
import { javaCataloger } from "./index.js";

const java: FileCataloger = javaCataloger;
const REPO = "/usr/share/maven-repo";

/** Jars Debian installs under /usr/share/maven-repo/<group path>/<artifact>/<version>/ (real versions only). */
function repoJars(): { file: string; coords: string; artifactId: string }[] {
  const out: { file: string; coords: string; artifactId: string }[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".jar")) {
        const parts = relative(REPO, p).split("/");
        const [version, artifactId] = [parts.at(-2)!, parts.at(-3)!];
        if (version === "debian" || /\.x$|SNAPSHOT/.test(version) || name !== `${artifactId}-${version}.jar`) continue;
        out.push({ file: realpathSync(p), coords: `${parts.slice(0, -3).join(".")}:${artifactId}@${version}`, artifactId });
      }
    }
  };
  walk(REPO);
  return out;
}

/**
 * Debian's Java libraries (pulled in by libmaven3-core-java, .ci/apt-packages.txt) are filed
 * under their Maven coordinates in /usr/share/maven-repo: an independent record of what each
 * jar is. Every coordinate read from a jar's own pom.properties must agree with it.
 */
describe("java: Debian jars vs their /usr/share/maven-repo coordinates", () => {
  it("pom.properties coordinates match the repository layout", async () => {
    const jars = repoJars();
    expect(jars.length).toBeGreaterThan(20);
    let matched = 0;
    for (const { file, coords, artifactId } of jars) {
      const pkgs = await parseWith(java, layerFileFrom(file, `/usr/share/java/${artifactId}.jar`));
      const own = pkgs.filter((p) => p.meta?.source !== "manifest" && p.name.endsWith(`:${artifactId}`) && !p.meta?.archivePath);
      for (const p of own) expect(`${p.name}@${p.version}`, file).toBe(coords);
      if (own.length > 0) matched++;
    }
    expect(matched).toBeGreaterThan(jars.length / 2);
  });
});
