import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import tar from "tar-stream";
import { describe, expect, it } from "vitest";
import { makeTar } from "../testing/tar.js";
import { TarScanner, type TarHeader } from "./tar-scan.js";

// TarScanner replaced tar-stream in scanLayer: it must see the same entries (names after long
// names and PAX records, types, sizes, modes, link names, data) however the bytes are chunked.

interface Seen {
  name: string;
  type: string | null;
  size: number;
  mode: number;
  linkname: string | null;
  sha: string;
}

async function viaTarStream(bytes: Buffer): Promise<Seen[]> {
  const out: Seen[] = [];
  const ex = tar.extract();
  Readable.from([bytes]).pipe(ex);
  for await (const e of ex) {
    const h = createHash("sha256");
    for await (const c of e) h.update(c as Buffer);
    const x = e.header;
    out.push({ name: x.name, type: x.type ?? null, size: x.size ?? 0, mode: x.mode ?? 0, linkname: x.linkname ?? null, sha: h.digest("hex") });
  }
  return out;
}

function viaScanner(bytes: Buffer, sizes: () => number): Seen[] {
  const out: Seen[] = [];
  const s = new TarScanner(
    {
      entry(x: TarHeader) {
        const h = createHash("sha256");
        const seen: Seen = { name: x.name, type: x.type, size: x.size, mode: x.mode, linkname: x.linkname, sha: "" };
        out.push(seen);
        return { data: (v) => void h.update(v), end: () => void (seen.sha = h.digest("hex")) };
      },
    },
    "test",
  );
  for (let off = 0; off < bytes.length; ) {
    // Each view is only valid during the call: hand out copies that are then scribbled over.
    const chunk = Buffer.from(bytes.subarray(off, off + sizes()));
    if (s.write(chunk, 0, () => false) !== chunk.length) throw new Error("stopped early");
    chunk.fill(0xee);
    off += chunk.length;
  }
  s.end();
  return out;
}

/** A GNU-format header block (magic "ustar  "), checksum filled in. */
function gnuHeader(name: string, flag: string, size: number, linkname = ""): Buffer {
  const h = Buffer.alloc(512);
  h.write(name.slice(0, 100), 0);
  h.write("0000644\0", 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write(size.toString(8).padStart(11, "0") + "\0", 124);
  h.write("00000000000\0", 136);
  h.write("        ", 148);
  h.write(flag, 156);
  h.write(linkname, 157);
  h.write("ustar  \0", 257);
  h.write(h.reduce((a, b) => a + b, 0).toString(8).padStart(6, "0") + "\0 ", 148);
  return h;
}
const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);

function lcg(seed: number, max: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return 1 + (x % max);
  };
}

describe("TarScanner", () => {
  it("sees what tar-stream sees, chunked any way", async () => {
    const long = `usr/share/${"very-long-directory-name/".repeat(12)}file.txt`;
    const ustar = await makeTar([
      { name: "etc/", type: "directory" },
      { name: "etc/os-release", content: "ID=debian\n" },
      { name: "etc/empty", content: "" },
      { name: long, content: Buffer.alloc(70_000, 7) },
      { name: "etc/alt", type: "symlink", linkname: `../${long}` },
      { name: "etc/hard", type: "link", linkname: "etc/os-release" },
      { name: "dev/null", type: "character-device" },
      { name: "bin/x", content: Buffer.alloc(1_000_003, 1), mode: 0o4755 },
    ]);
    const gnuName = `opt/${"gnu-long-name/".repeat(10)}data`;
    const slashCut = `${"d".repeat(99)}/index.d.ts`;
    const gnu = Buffer.concat([
      gnuHeader("././@LongLink", "L", gnuName.length + 1),
      pad(Buffer.from(gnuName + "\0")),
      gnuHeader(gnuName.slice(0, 99), "0", 600),
      pad(Buffer.alloc(600, 3)),
      gnuHeader("ln", "2", 0, "target"),
      // A regular file whose long name's first 100 bytes end in "/" (GNU tar writes them in the
      // name field): still a file, its data must be read.
      gnuHeader("././@LongLink", "L", slashCut.length + 1),
      pad(Buffer.from(slashCut + "\0")),
      gnuHeader(slashCut.slice(0, 100), "0", 1930),
      pad(Buffer.alloc(1930, 5)),
      gnuHeader("after", "0", 3),
      pad(Buffer.from("end")),
      Buffer.alloc(1024),
    ]);
    for (const bytes of [ustar, gnu]) {
      const want = await viaTarStream(bytes);
      expect(want.length).toBeGreaterThan(1);
      for (const [seed, max] of [[1, 3], [2, 513], [3, 5000], [4, 1 << 20]] as const) expect(viaScanner(bytes, lcg(seed, max))).toEqual(want);
    }
  });

  it("reads GNU tar's own archive of a file whose long name is cut at a slash", () => {
    const dir = mkdtempSync(join(tmpdir(), "lk-gnutar-"));
    try {
      const sub = join(dir, "d".repeat(99));
      mkdirSync(sub);
      writeFileSync(join(sub, "index.d.ts"), Buffer.alloc(1930, 9));
      writeFileSync(join(dir, "z-last"), "last\n");
      const bytes = execFileSync("tar", ["--format=gnu", "-c", "-C", dir, "d".repeat(99), "z-last"]);
      const seen = viaScanner(bytes, () => 4096);
      expect(seen.map((e) => [e.name, e.type, e.size])).toEqual([
        [`${"d".repeat(99)}/`, "directory", 0],
        [`${"d".repeat(99)}/index.d.ts`, "file", 1930],
        ["z-last", "file", 5],
      ]);
      expect(seen[1]!.sha).toBe(createHash("sha256").update(Buffer.alloc(1930, 9)).digest("hex"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses what tar-stream refuses: bad checksum, unknown format, oversized long header, truncation", () => {
    const run = (b: Buffer) => () => viaScanner(b, () => 700);
    const bad = gnuHeader("a", "0", 0);
    bad[0] = 0x62;
    expect(run(bad)).toThrow(/Invalid tar header/);
    const unknown = gnuHeader("a", "0", 0);
    unknown.write("xxxxx", 257);
    unknown.write("        ", 148);
    unknown.write(unknown.reduce((a, b) => a + b, 0).toString(8).padStart(6, "0") + "\0 ", 148);
    expect(run(unknown)).toThrow(/unknown format/);
    expect(run(gnuHeader("././@LongLink", "L", 5 << 20))).toThrow(/exceeds max size/);
    expect(run(Buffer.concat([gnuHeader("a", "0", 600), Buffer.alloc(100)]))).toThrow(/Unexpected end/);
    expect(run(gnuHeader("a", "0", 0).subarray(0, 300))).toThrow(/Unexpected end/);
  });
});
