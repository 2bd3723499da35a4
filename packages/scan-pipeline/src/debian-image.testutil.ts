import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A real Debian image for tests, built the way the inventory issue asks: `debootstrap` a
 * minbase bookworm root, `npm install` a few small real packages into /app, pack both with
 * `umoci` (one layer each) into an OCI layout. The Debian root and the npm tree are cached
 * under <repo>/.lookout/cache (gitignored) so repeat runs only pay for umoci; a failed build
 * throws with the tool's own error, so a test never passes without the image.
 */

const CACHE = new URL("../../../.lookout/cache/debian-image/", import.meta.url).pathname;
export const DEBIAN_SUITE = "bookworm";
export const NPM_PACKAGES = ["chalk@4.1.2", "ansi-styles@6.2.1", "debug@4.3.7", "@tootallnate/once@2.0.0", "semver@7.6.3"];

function run(cmd: string, args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): string {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, encoding: "utf8", maxBuffer: 256 << 20, timeout: opts.timeoutMs ?? 600_000 });
  if (r.error || r.status !== 0) {
    const tail = `${r.stderr ?? ""}\n${r.stdout ?? ""}`.trim().split("\n").slice(-15).join("\n");
    throw new Error(`${cmd} ${args.join(" ").slice(0, 300)} failed (${r.error?.message ?? `exit ${r.status}`}):\n${tail}`);
  }
  return r.stdout;
}

/** Build `final` through a temporary sibling, a rename and a marker, so a half-built tree is never reused. */
function cached(final: string, build: (tmp: string) => void): string {
  const done = `${final}.complete`;
  if (existsSync(done) && existsSync(final)) return final;
  mkdirSync(CACHE, { recursive: true });
  const tmp = `${final}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    build(tmp);
    rmSync(final, { recursive: true, force: true });
    renameSync(tmp, final);
    writeFileSync(done, "");
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return final;
}

/** A minbase Debian root (needs root and a reachable mirror; LOOKOUT_DEBIAN_MIRROR overrides). */
export function debianRoot(): string {
  return cached(join(CACHE, `${DEBIAN_SUITE}-minbase`), (tmp) => {
    if (process.getuid?.() !== 0) throw new Error("debootstrap needs root to build the Debian test root");
    const mirror = process.env.LOOKOUT_DEBIAN_MIRROR ?? "http://deb.debian.org/debian";
    run("debootstrap", ["--variant=minbase", DEBIAN_SUITE, tmp, mirror], { timeoutMs: 900_000 });
  });
}

/** /app with package.json, package-lock.json and node_modules from the npm registry. */
export function npmApp(): string {
  const key = createHash("sha256").update(NPM_PACKAGES.join(" ")).digest("hex").slice(0, 12);
  return cached(join(CACHE, `npm-app-${key}`), (tmp) => {
    mkdirSync(tmp, { recursive: true });
    writeFileSync(join(tmp, "package.json"), JSON.stringify({ name: "lookout-debian-image-app", version: "1.0.0", private: true }));
    run("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", ...NPM_PACKAGES], { cwd: tmp });
  });
}

/**
 * Pack the Debian root and the npm app (at /app) as two layers of `<layout>:<tag>`. Through
 * unpack + copy + repack: `umoci insert` of umoci 0.4.7 (Debian 12) never closes its tar writer,
 * so its layers lack the last entry's padding and the end-of-archive blocks
 * (opencontainers/umoci#436, fixed upstream in #534).
 */
export function packImage(layout: string, tag: string, root: string, app: string, work: string): void {
  const image = `${layout}:${tag}`;
  const bundle = join(work, "bundle");
  run("umoci", ["init", "--layout", layout]);
  run("umoci", ["new", "--image", image]);
  run("umoci", ["unpack", "--image", image, bundle]);
  run("cp", ["-a", `${root}/.`, join(bundle, "rootfs")]);
  // --refresh-bundle: the next repack diffs against this layer, not against the empty image.
  run("umoci", ["repack", "--refresh-bundle", "--image", image, bundle]);
  run("cp", ["-a", app, join(bundle, "rootfs", "app")]);
  run("umoci", ["repack", "--image", image, bundle]);
  rmSync(bundle, { recursive: true, force: true });
}

/** `dpkg-query -W` on the root's database: name, version, arch, source name, source version. */
export function dpkgQuery(root: string): string[] {
  const f = "${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n";
  return execFileSync("dpkg-query", [`--admindir=${root}/var/lib/dpkg`, "-W", `-f=${f}`], { encoding: "utf8", maxBuffer: 64 << 20 })
    .split("\n")
    .filter(Boolean)
    .sort();
}

/** `npm ls --all --parseable --long`: image path of each installed package.json → name@version. */
export function npmLs(app: string, imageDir: string): string[] {
  return run("npm", ["ls", "--all", "--parseable", "--long"], { cwd: app })
    .split("\n")
    .filter(Boolean)
    .slice(1) // the project itself
    .map((l) => {
      const [path = "", id = ""] = l.split(":");
      return `${imageDir}${path.slice(app.length)}/package.json ${id}`;
    })
    .sort();
}

export { pythonDebianLicenses } from "@lookout/ecosystems/testing";
