import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { vercmp } from "./vercmp.js";

async function run(ecosystem: string, input: string | Buffer[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = "";
  let e = "";
  out.setEncoding("utf8").on("data", (d: string) => (o += d));
  err.setEncoding("utf8").on("data", (d: string) => (e += d));
  const code = await vercmp(ecosystem, Readable.from(typeof input === "string" ? [Buffer.from(input)] : input), out, err);
  return { code, out: o, err: e };
}

describe("vercmp", () => {
  it("answers one line per input line", async () => {
    const r = await run("Debian:12", "1.0~rc1\t1.0\n1:1.0\t2.0\n1.0\t1.0-0\n");
    expect(r).toEqual({ code: 0, out: "<\n>\n=\n", err: "" });
  });

  it("reports bad lines as one-line errors and keeps going", async () => {
    const r = await run("npm", "1.2.3\n1.2.3\t01.2.3\n\n1.0.0\t1.0.0-rc.1\r\n1.0.0\t2.0.0");
    const lines = r.out.split("\n");
    expect(r.code).toBe(0);
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^error .*TAB/);
    expect(lines[1]).toMatch(/^error LKT_ERR_VERSION_INVALID: npm: invalid version "01\.2\.3"/);
    expect(lines[2]).toMatch(/^error /);
    expect(lines.slice(3)).toEqual([">", "<", ""]);
  });

  it("handles lines split across chunks and multi-byte characters", async () => {
    const alpha = Buffer.from("α"); // two UTF-8 bytes, split across chunks below
    const chunks = [Buffer.from("1.0.0-"), alpha.subarray(0, 1), alpha.subarray(1), Buffer.from("\t1.0.0\n2"), Buffer.from(".0.0\t1.0.0\n")];
    const r = await run("npm", chunks);
    expect(r.out).toBe('error LKT_ERR_VERSION_INVALID: npm: invalid version "1.0.0-α": not a valid semver version\n>\n');
  });

  it("caps line length without buffering the whole line", async () => {
    const r = await run("PyPI", `${"1".repeat(100_000)}\t1\n1.0\t1.0.0\n`);
    expect(r.out).toBe("error line longer than 4096 characters\n=\n");
  });

  it("returns 2 and writes to err for an unknown ecosystem", async () => {
    const r = await run("Hackage", "1\t2\n");
    expect(r).toEqual({ code: 2, out: "", err: "unsupported ecosystem Hackage\n" });
  });
});

describe("vercmp backpressure", () => {
  it("waits for a slow reader and stops when the output closes", async () => {
    const { Writable } = await import("node:stream");
    let got = "";
    let writes = 0;
    const slow = new Writable({
      highWaterMark: 4,
      write(chunk: Buffer, _enc, cb) {
        got += chunk.toString();
        writes++;
        if (writes === 3) {
          cb();
          slow.destroy();
          return;
        }
        setImmediate(cb);
      },
    });
    const lines = Array.from({ length: 1000 }, () => "1.0\t2.0\n").join("");
    const code = await vercmp("PyPI", Readable.from([Buffer.from(lines)]), slow, new PassThrough());
    expect(code).toBe(0);
    expect(got.startsWith("<\n<\n<\n")).toBe(true);
    expect(got.length).toBeLessThan(2000);
  });
});
