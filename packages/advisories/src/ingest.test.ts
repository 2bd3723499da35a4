import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import yazl from "yazl";
import { readOsvDir, readOsvZip, type IngestItem } from "./ingest.js";

const OSV = join(import.meta.dirname, "../testdata/osv");
const REAL = ["debian/DLA-3008-1.json", "npm/GHSA-whgm-jr23-g3j9.json", "ubuntu/UBUNTU-CVE-2023-38545.json"];
let tmp: string;

async function collect(it: AsyncIterable<IngestItem>): Promise<IngestItem[]> {
  const out: IngestItem[] = [];
  for await (const x of it) out.push(x);
  return out;
}
const summary = (items: IngestItem[]): string[] =>
  items.map((x) => ("ok" in x ? `ok ${x.entry} ${x.ok.id}` : `error ${x.entry}: ${x.error}`)).sort();

function buildZip(entries: [string, Buffer | null, boolean?][]): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, data, compress] of entries) {
    if (data === null) z.addEmptyDirectory(name);
    else z.addBuffer(data, name, { compress: compress ?? true });
  }
  z.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    z.outputStream.on("data", (c: Buffer) => chunks.push(c));
    z.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    z.outputStream.on("error", reject);
  });
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "lookout-advisories-ingest-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("readOsvDir", () => {
  it("yields every record, reports bad ones and keeps going", async () => {
    const dir = join(tmp, "dir");
    await mkdir(join(dir, "debian"), { recursive: true });
    await mkdir(join(dir, "npm", "nested"), { recursive: true });
    await writeFile(join(dir, "debian", "DLA-3008-1.json"), await readFile(join(OSV, REAL[0]!)));
    await writeFile(join(dir, "npm", "nested", "GHSA-whgm-jr23-g3j9.json"), await readFile(join(OSV, REAL[1]!)));
    await writeFile(join(dir, "broken.json"), "{ nope");
    await writeFile(join(dir, "no-id.json"), JSON.stringify({ modified: "2020-01-01T00:00:00Z" }));
    await writeFile(join(dir, "big.json"), JSON.stringify({ id: "X-1", modified: "m", details: "x".repeat(5_000) }));
    await writeFile(join(dir, "README.md"), "not a record");
    await symlink(join(OSV, REAL[2]!), join(dir, "link.json"));
    const items = await collect(readOsvDir(dir, { maxRecordBytes: 4_096 }));
    expect(summary(items)).toEqual([
      "error big.json: record larger than 4096 bytes",
      expect.stringMatching(/^error broken.json: advisory: invalid JSON: /),
      expect.stringMatching(/^error no-id.json: advisory: id: /),
      "ok debian/DLA-3008-1.json DLA-3008-1",
      "ok npm/nested/GHSA-whgm-jr23-g3j9.json GHSA-whgm-jr23-g3j9",
    ]);
  });

  it("caps the walk depth", async () => {
    const dir = join(tmp, "deep");
    await mkdir(join(dir, "a", "b", "c"), { recursive: true });
    await writeFile(join(dir, "a", "b", "c", "x.json"), await readFile(join(OSV, REAL[1]!)));
    expect(summary(await collect(readOsvDir(dir, { maxDepth: 1 })))).toEqual(["error a/b: directory deeper than 1 levels, skipped"]);
  });
});

describe("readOsvZip", () => {
  it("reads entries one by one, reporting bad entries without stopping", async () => {
    const zip = await buildZip([
      ["debian/", null],
      [REAL[0]!, await readFile(join(OSV, REAL[0]!))],
      ["broken.json", Buffer.from("[1,2")],
      ["invalid.json", Buffer.from(JSON.stringify({ id: "BAD-1", modified: "m", affected: [{ package: { ecosystem: 1, name: "x" } }] }))],
      ["huge.json", Buffer.from(JSON.stringify({ id: "X-1", modified: "m", details: "y".repeat(100_000) }))],
      [REAL[2]!, await readFile(join(OSV, REAL[2]!)), false],
      ["notes.txt", Buffer.from("ignored")],
    ]);
    const path = join(tmp, "all.zip");
    await writeFile(path, zip);
    const items = await collect(readOsvZip(path, { maxRecordBytes: 64_000 }));
    expect(summary(items)).toEqual([
      expect.stringMatching(/^error broken.json: advisory: invalid JSON/),
      "error huge.json: record larger than 64000 bytes",
      "error invalid.json: BAD-1: affected.0.package.ecosystem: Invalid input: expected string, received number",
      "ok debian/DLA-3008-1.json DLA-3008-1",
      "ok ubuntu/UBUNTU-CVE-2023-38545.json UBUNTU-CVE-2023-38545",
    ]);
  });

  it("a file that is not a zip gives one error item", async () => {
    const path = join(tmp, "garbage.zip");
    await writeFile(path, Buffer.from("this is not a zip file at all, not even close".repeat(10)));
    const items = await collect(readOsvZip(path));
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ entry: path, error: expect.stringMatching(/^zip unreadable: /) });
  });

  it("a missing file gives one error item", async () => {
    const items = await collect(readOsvZip(join(tmp, "missing.zip")));
    expect(items).toEqual([{ entry: join(tmp, "missing.zip"), error: expect.stringMatching(/^zip unreadable: .*ENOENT/) }]);
  });

  it("corrupt compressed data in one entry: that entry is reported, the next still read", async () => {
    const first = Buffer.from(JSON.stringify({ id: "A-1", modified: "m", details: "z".repeat(20_000) }));
    const zip = await buildZip([["a.json", first], [REAL[1]!, await readFile(join(OSV, REAL[1]!))]]);
    // local header: 30 bytes + name; damage the deflate stream right after it
    const dataStart = 30 + zip.readUInt16LE(26) + zip.readUInt16LE(28);
    zip.fill(0xff, dataStart, dataStart + 8);
    const path = join(tmp, "corrupt-entry.zip");
    await writeFile(path, zip);
    expect(summary(await collect(readOsvZip(path)))).toEqual([
      expect.stringMatching(/^error a.json: entry unreadable: /),
      "ok npm/GHSA-whgm-jr23-g3j9.json GHSA-whgm-jr23-g3j9",
    ]);
  });

  it("stopping early closes the zip", async () => {
    const zip = await buildZip(REAL.map((p): [string, Buffer] => [p, Buffer.from("{}")]));
    const path = join(tmp, "early.zip");
    await writeFile(path, zip);
    let n = 0;
    for await (const _ of readOsvZip(path)) {
      n++;
      break;
    }
    expect(n).toBe(1);
  });
});
