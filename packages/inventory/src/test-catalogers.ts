import type { Distro, FileCataloger, Package } from "@lookout/domain";

/**
 * Minimal catalogers for this package's tests (the real ones live in packages/ecosystems and
 * are passed in by callers; inventory never imports them).
 */
export function dpkgTestCataloger(version = 1): FileCataloger {
  return {
    name: "test-dpkg",
    version,
    wants: (p) => p === "/var/lib/dpkg/status",
    async parse(file) {
      const out: Package[] = [];
      for (const stanza of (await file.read()).toString("utf8").split(/\n\s*\n/)) {
        const f = Object.fromEntries(stanza.split("\n").map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]));
        if (!f.Package || f.Status !== "install ok installed") continue;
        out.push({ type: "dpkg", name: f.Package, version: f.Version ?? "", ecosystem: "Debian", purl: `pkg:deb/${f.Package}@${f.Version}`, path: file.path });
      }
      return out;
    },
  };
}

/** "name version" per line in any *.pkgs file. */
export const linesTestCataloger: FileCataloger = {
  name: "test-lines",
  version: 1,
  wants: (p) => p.endsWith(".pkgs"),
  async parse(file) {
    return (await file.read())
      .toString("utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => {
        const [name = "", version = ""] = l.split(" ");
        return { type: "lines", name, version, ecosystem: "npm", purl: `pkg:npm/${name}@${version}`, path: file.path };
      });
  },
};

/** Throws on every file it wants: the scan must record an unknown and go on. */
export const failingTestCataloger: FileCataloger = {
  name: "test-failing",
  version: 1,
  wants: (p) => p.endsWith(".json"),
  async parse() {
    throw new Error("unexpected token in JSON");
  },
};

export function detectTestDistro(files: Map<string, Buffer>): Distro | undefined {
  const text = (files.get("/etc/os-release") ?? files.get("/usr/lib/os-release"))?.toString("utf8");
  if (!text) return undefined;
  const kv = Object.fromEntries(text.split("\n").filter((l) => l.includes("=")).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1).replace(/^"|"$/g, "")]));
  return kv.ID ? { id: kv.ID, ...(kv.VERSION_ID ? { versionId: kv.VERSION_ID } : {}) } : undefined;
}
