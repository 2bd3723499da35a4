import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import yazl from "yazl";
import { readOsvZip, type IngestItem } from "./ingest.js";
import { ZipReader } from "./zip.js";

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "lookout-zip-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function buildZip(entries: [string, Buffer, { compress?: boolean; zip64?: boolean }?][], zip64 = false): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, data, o] of entries) z.addBuffer(data, name, { compress: o?.compress ?? true, forceZip64Format: o?.zip64 ?? false });
  z.end({ forceZip64Format: zip64, comment: "" });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    z.outputStream.on("data", (c: Buffer) => chunks.push(c));
    z.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    z.outputStream.on("error", reject);
  });
}

async function readAll(path: string, cap = 8 << 20): Promise<[string, string][]> {
  const zip = await ZipReader.open(path);
  const out: [string, string][] = [];
  try {
    const w = zip.dataWindow();
    for await (const e of zip.entries()) out.push([e.name, await zip.read(w, e, cap).catch((err: Error) => `error: ${err.message}`)]);
  } finally {
    await zip.close();
  }
  return out;
}

const rec = (id: string, pad = 0) => JSON.stringify({ id, modified: "2026-01-01T00:00:00Z", details: "d".repeat(pad) });

describe("ZipReader", () => {
  it("reads ZIP64 records and extra fields, stored and deflated entries, entries larger than its window", async () => {
    // 1.5 MiB of incompressible-ish text (larger than the 1 MiB window) both stored and deflated.
    const big = Buffer.from(Array.from({ length: 200_000 }, (_, i) => ((i * 2654435761) >>> 0).toString(36)).join(""));
    const path = join(tmp, "z64.zip");
    await writeFile(path, await buildZip([
      ["a.json", Buffer.from(rec("A-1")), { zip64: true }],
      ["big-stored.bin", big, { compress: false }],
      ["b.json", Buffer.from(rec("B-1", 10)), { compress: false, zip64: true }],
      ["big-deflated.bin", big],
      ["c.json", Buffer.from(rec("C-1"))],
    ], true));
    const got = await readAll(path);
    expect(got.map(([n, t]) => [n, t.length])).toEqual([
      ["a.json", rec("A-1").length], ["big-stored.bin", big.length], ["b.json", rec("B-1", 10).length],
      ["big-deflated.bin", big.length], ["c.json", rec("C-1").length],
    ]);
    expect(got[3]![1]).toBe(big.toString());
    expect(got[4]![1]).toBe(rec("C-1"));
  });

  it("a CRC mismatch, an unknown compression method and a bad local header fail only their entry", async () => {
    const zip = await buildZip([["a.json", Buffer.from(rec("A-1")), { compress: false }], ["b.json", Buffer.from(rec("B-1"))], ["c.json", Buffer.from(rec("C-1"))], ["d.json", Buffer.from(rec("D-1"))]]);
    const a = zip.indexOf(Buffer.from(rec("A-1")));
    zip[a + 5] = "X".charCodeAt(0); // stored data changed: CRC no longer matches
    const cdB = zip.lastIndexOf(Buffer.from("b.json")) - 46;
    zip.writeUInt16LE(12, cdB + 10); // bzip2 in the central directory
    const localC = zip.indexOf(Buffer.from("c.json")) - 30;
    zip.writeUInt32LE(0x01020304, localC); // broken local header
    const path = join(tmp, "bad-entries.zip");
    await writeFile(path, zip);
    expect(await readAll(path)).toEqual([
      ["a.json", "error: CRC-32 mismatch"],
      ["b.json", "error: unsupported compression method 12"],
      ["c.json", "error: invalid local file header signature"],
      ["d.json", rec("D-1")],
    ]);
  });

  it("caps what an entry may inflate to, whatever its header claims", async () => {
    const zip = await buildZip([["bomb.json", Buffer.alloc(4 << 20, 0x20)], ["ok.json", Buffer.from(rec("OK-1"))]]);
    const cd = zip.lastIndexOf(Buffer.from("bomb.json")) - 46;
    zip.writeUInt32LE(100, cd + 24); // the directory lies: 100 bytes
    const path = join(tmp, "bomb.zip");
    await writeFile(path, zip);
    expect(await readAll(path, 64_000)).toEqual([["bomb.json", "error: record larger than 64000 bytes"], ["ok.json", rec("OK-1")]]);
  });

  it("a directory broken midway: the entries before it, then one `zip corrupt` item naming the zip", async () => {
    const zip = await buildZip([["a.json", Buffer.from(rec("A-1"))], ["b.json", Buffer.from(rec("B-1"))]]);
    const cdB = zip.lastIndexOf(Buffer.from("b.json")) - 46;
    zip.writeUInt32LE(0, cdB);
    const path = join(tmp, "bad-cd.zip");
    await writeFile(path, zip);
    const items: IngestItem[] = [];
    for await (const x of readOsvZip(path)) items.push(x);
    expect(items).toEqual([
      { ok: expect.objectContaining({ id: "A-1" }), entry: "a.json", bytes: rec("A-1").length },
      { error: "zip corrupt: invalid central directory file header signature at entry 1", entry: path },
    ]);
  });

  it("a zip cut short is unreadable", async () => {
    const zip = await buildZip([["a.json", Buffer.from(rec("A-1"))]]);
    const path = join(tmp, "short.zip");
    await writeFile(path, zip.subarray(0, zip.length - 10));
    const items: IngestItem[] = [];
    for await (const x of readOsvZip(path)) items.push(x);
    expect(items).toEqual([{ error: "zip unreadable: end of central directory record signature not found", entry: path }]);
  });
});
