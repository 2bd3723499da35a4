import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv from "ajv";
import AjvDraft04 from "ajv-draft-04";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import yazl from "yazl";
import { createTestDatabase, writeOciLayout, type TestDatabase } from "@lookout/testkit";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const STORE_TD = fileURLToPath(new URL("../../advisory-store/testdata/", import.meta.url));
const SCHEMAS = fileURLToPath(new URL("../testdata/schemas/", import.meta.url));
const schema = (f: string) => JSON.parse(readFileSync(join(SCHEMAS, f), "utf8")) as object;

/** Runs the real CLI (`node --import tsx packages/cli/src/main.ts`) from another working directory. */
function lookout(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", join(REPO, "packages/cli/src/main.ts"), ...args], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? "", HOME: cwd, INIT_CWD: cwd, ...env },
      maxBuffer: 32 * 1024 * 1024,
      timeout: 90_000,
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }));
  });
}

// The root is composed of real files: Debian 9 os-release + a real dpkg status (see advisory-store/testdata/README.md).
const rootLayer = {
  files: {
    "etc/": "",
    "etc/os-release": readFileSync(join(STORE_TD, "root/etc/os-release")),
    "var/lib/dpkg/": "",
    "var/lib/dpkg/status": readFileSync(join(STORE_TD, "root/var/lib/dpkg/status")),
  },
};

const backends: [string, () => Promise<{ env: (dir: string) => Record<string, string>; done: () => Promise<void> }>][] = [
  ["embedded PGlite", async () => ({ env: (dir) => ({ LOOKOUT_DATA_DIR: join(dir, "data") }), done: async () => {} })],
  ["Postgres (DATABASE_URL)", async () => {
    const db: TestDatabase = await createTestDatabase();
    await db.close();
    return { env: () => ({ DATABASE_URL: db.url }), done: () => db.drop() };
  }],
];

describe.each(backends)("lookout db import + scan on %s", (_name, setup) => {
  let dir: string;
  let env: Record<string, string>;
  let done: () => Promise<void>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "lk-cli-"));
    await writeOciLayout(join(dir, "image"), "latest", { layers: [rootLayer] });
    const b = await setup();
    env = b.env(dir);
    done = b.done;
  });
  afterAll(async () => {
    await done();
    await rm(dir, { recursive: true, force: true });
  });

  it("imports the real advisories (relative path from the caller's directory)", async () => {
    const r = await lookout(["db", "import", "osv"], env, STORE_TD);
    expect(r).toMatchObject({ code: 0, stdout: "added 6, changed 0, unchanged 0, withdrawn 1, rejected 0\n" });
  });

  it("re-import of the same records from an all.zip (one bad member) writes nothing", async () => {
    const zip = new yazl.ZipFile();
    for (const f of readdirSync(join(STORE_TD, "osv"))) zip.addBuffer(readFileSync(join(STORE_TD, "osv", f)), `osv/${f}`);
    zip.addBuffer(Buffer.from("{ truncated"), "osv/BAD-1.json");
    zip.end();
    const chunks: Buffer[] = [];
    for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c);
    await writeFile(join(dir, "all.zip"), Buffer.concat(chunks));
    const r = await lookout(["db", "import", "all.zip"], env, dir);
    expect(r).toMatchObject({ code: 0, stdout: "added 0, changed 0, unchanged 7, withdrawn 0, rejected 1\n" });
    expect(r.stderr).toContain("skipped osv/BAD-1.json");
  });

  it("table: the one expected finding (tzdata below DLA-3051-1's fix), nothing for fixed openssl/libxml2/dpkg", async () => {
    const r = await lookout(["scan", "image"], env, dir);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^PACKAGE\s+INSTALLED\s+FIXED\s+ADVISORY\s+SEVERITY\s+STATE$/);
    expect(lines[1]!.split(/\s+/)).toEqual(["tzdata", "2020a-0ubuntu0.18.04", "2021a-0+deb9u4", "DLA-3051-1", "unknown", "fixed"]);
    expect(lines.at(-1)).toBe("1 finding (unknown: 1)");
    expect(r.stderr).toBe(""); // not a TTY: no progress
  });

  it("json lists exactly that finding", async () => {
    const r = await lookout(["scan", "image:latest", "--format", "json"], env, dir);
    const doc = JSON.parse(r.stdout) as { distro: unknown; packageCount: number; findings: { packageName: string; advisoryId: string; url: string }[] };
    expect(doc.distro).toMatchObject({ id: "debian", versionId: "9" });
    expect(doc.packageCount).toBe(357);
    expect(doc.findings.map((f) => [f.packageName, f.advisoryId, f.url])).toEqual([["tzdata", "DLA-3051-1", "https://osv.dev/vulnerability/DLA-3051-1"]]);
  });

  it("--exit-code is honoured after filters", async () => {
    expect((await lookout(["scan", "image", "--exit-code", "4", "--format", "json"], env, dir)).code).toBe(4);
    expect((await lookout(["scan", "image", "--exit-code", "4", "--ignore-unfixed"], env, dir)).code).toBe(4); // it has a fix
    const filtered = await lookout(["scan", "image", "--exit-code", "4", "--severity", "critical,high"], env, dir);
    expect(filtered.code).toBe(0);
    expect(filtered.stdout.trim().split("\n").at(-1)).toBe("0 findings");
    expect((await lookout(["scan", "image", "--severity", "bogus"], env, dir)).code).toBe(2);
  });

  it("sarif validates against the SARIF 2.1.0 schema", async () => {
    const r = await lookout(["scan", "image", "--format", "sarif"], env, dir);
    const sarif = JSON.parse(r.stdout) as { runs: { results: { ruleId: string; level: string }[] }[] };
    const ajv = new AjvDraft04({ strict: false, allErrors: true, logger: false });
    addFormats(ajv);
    const validate = ajv.compile(schema("sarif-schema-2.1.0.json"));
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(sarif.runs[0]!.results.map((x) => [x.ruleId, x.level])).toEqual([["DLA-3051-1", "note"]]);
  });

  it("cyclonedx: components + vulnerabilities pointing at the tzdata component; valid CycloneDX 1.6", async () => {
    const r = await lookout(["scan", "image", "--format", "cyclonedx"], env, dir);
    const bom = JSON.parse(r.stdout) as { components: { "bom-ref": string; name: string }[]; vulnerabilities: { id: string; affects: { ref: string }[]; recommendation: string; ratings: { severity: string }[] }[] };
    const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
    addFormats(ajv);
    ajv.addSchema(schema("spdx.schema.json"));
    ajv.addSchema(schema("jsf-0.82.schema.json"));
    const validate = ajv.compile(schema("bom-1.6.schema.json"));
    expect(validate(bom), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(bom.vulnerabilities).toHaveLength(1);
    const v = bom.vulnerabilities[0]!;
    expect(v).toMatchObject({ id: "DLA-3051-1", recommendation: "Upgrade tzdata to 2021a-0+deb9u4", ratings: [{ severity: "unknown" }] });
    const target = bom.components.find((c) => c["bom-ref"] === v.affects[0]!.ref);
    expect(target?.name).toBe("tzdata");
  });

  it("sbom prints the inventory as SPDX without a database", async () => {
    const r = await lookout(["sbom", join(dir, "image"), "--format", "spdx"], { LOOKOUT_DATA_DIR: join(dir, "unused") }, dir);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { spdxVersion: string; packages: { name: string }[] };
    expect(doc.spdxVersion).toBe("SPDX-2.3");
    expect(doc.packages.some((p) => p.name === "tzdata")).toBe(true);
  });
});
