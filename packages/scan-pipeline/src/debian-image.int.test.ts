import { existsSync, lstatSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Inventory } from "@lookout/domain";
import { DirectoryLayerCache } from "@lookout/inventory";
import { openOciLayout, type ImageSource } from "@lookout/oci";
import { debianRoot, dpkgQuery, npmApp, npmLs, packImage, pythonDebianLicenses } from "./debian-image.testutil.js";
import { inventoryOf } from "./index.js";

/**
 * The inventory of a real image against the ecosystems' own tools on the same files: a
 * debootstrapped Debian 12 root (layer 1) and an npm-installed /app (layer 2), packed by umoci.
 * dpkg packages must equal `dpkg-query -W` on the root exactly; npm packages `npm ls --all`;
 * dpkg licenses python-debian's reading of each package's DEP-5 copyright file.
 */
describe("inventory of a debootstrapped Debian + npm image", () => {
  let dir: string;
  let root: string;
  let app: string;
  let src: ImageSource;
  let inv: Inventory;

  beforeAll(async () => {
    root = debianRoot();
    app = npmApp();
    dir = await mkdtemp(join(tmpdir(), "lk-debimg-"));
    packImage(join(dir, "oci"), "bookworm", root, app, dir);
    const r = await openOciLayout(join(dir, "oci"), "bookworm");
    if (r.kind !== "images") throw new Error("umoci wrote no image");
    src = r.images[0]!;
    inv = await inventoryOf(src, { scratchDir: join(dir, "scratch") });
  }, 1_200_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("detects Debian 12 bookworm and records no unknowns", () => {
    expect(src.layers).toHaveLength(2);
    expect(inv.distro).toMatchObject({ id: "debian", versionId: "12", codename: "bookworm" });
    expect(inv.unknowns).toEqual([]);
  });

  it("dpkg packages == dpkg-query -W (name, version, arch, source name, source version), all from layer 1", () => {
    const dpkg = inv.packages.filter((p) => p.type === "dpkg");
    const want = dpkgQuery(root);
    expect(want.length).toBeGreaterThan(80);
    expect(dpkg.map((p) => [p.name, p.version, p.arch ?? "", p.sourceName, p.sourceVersion].join("\t")).sort()).toEqual(want);
    expect(new Set(dpkg.map((p) => p.layerDigest))).toEqual(new Set([src.layers[0]!.digest]));
    const bash = dpkg.find((p) => p.name === "bash")!;
    expect(bash.ecosystem).toBe("Debian:12");
    expect(bash.purl).toBe(`pkg:deb/debian/bash@${encodeURIComponent(bash.version)}?arch=${bash.arch}&distro=debian-12`);
  });

  it("npm packages == npm ls --all (path and name@version), all from layer 2", () => {
    const npm = inv.packages.filter((p) => p.type === "npm");
    const want = npmLs(app, "/app");
    expect(want.length).toBeGreaterThanOrEqual(10);
    // ansi-styles 6 at the top and chalk's own ansi-styles 4 nested below it: both reported.
    expect(want.filter((l) => l.includes(" ansi-styles@"))).toHaveLength(2);
    expect(npm.map((p) => `${p.path} ${p.name}@${p.version}`).sort()).toEqual(want);
    expect(new Set(npm.map((p) => p.layerDigest))).toEqual(new Set([src.layers[1]!.digest]));
  });

  it("dpkg licenses == python-debian's DEP-5 reading of /usr/share/doc/<package>/copyright", () => {
    const dpkg = inv.packages.filter((p) => p.type === "dpkg");
    // A doc directory that is a symlink (libgcc-s1 → gcc's) is not a copyright file of its own in the layer.
    const own = (n: string) => !lstatSync(join(root, "usr/share/doc", n), { throwIfNoEntry: false })?.isSymbolicLink() && existsSync(join(root, "usr/share/doc", n, "copyright"));
    const files = dpkg.filter((p) => own(p.name)).map((p) => join(root, "usr/share/doc", p.name, "copyright"));
    const oracle = pythonDebianLicenses(files);
    const want = dpkg.map((p) => {
      const o = own(p.name) ? oracle[join(root, "usr/share/doc", p.name, "copyright")] : undefined;
      return `${p.name}: ${typeof o === "object" && o && o.length > 0 ? [...o].sort().join(", ") : "-"}`;
    });
    expect(dpkg.map((p) => `${p.name}: ${p.licenses ? [...p.licenses].sort().join(", ") : "-"}`)).toEqual(want);
    expect(dpkg.filter((p) => p.licenses).length).toBeGreaterThan(dpkg.length / 2);
    expect(Object.values(oracle).filter((o) => typeof o === "string")).toEqual([]);
  });

  it("a directory layer cache gives the same inventory without reading the layers again", async () => {
    const cache = new DirectoryLayerCache(join(dir, "cache"));
    const first = await inventoryOf(src, { scratchDir: join(dir, "s1"), cache });
    const opened: string[] = [];
    const counted: ImageSource = { ...src, openLayer: (l, o) => (opened.push(l.digest), src.openLayer(l, o)) };
    const again = await inventoryOf(counted, { scratchDir: join(dir, "s2"), cache: new DirectoryLayerCache(join(dir, "cache")) });
    expect(opened).toEqual([]);
    expect(again).toEqual(first);
    expect(first).toEqual(inv);
  });
});
