import { mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { download, redact, type DownloadOptions } from "./download.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lk-dl-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const noFetch = async (): Promise<Response> => {
  throw new Error("a file:// feed must not use the network");
};
const opts = (extra: Partial<DownloadOptions> = {}): DownloadOptions => ({ fetch: noFetch, signal: new AbortController().signal, tmpDir: dir, maxBytes: 1 << 20, ...extra });

describe("download of a local (air-gapped) feed", () => {
  it("reads the file in place, then answers unchanged while size and mtime stay", async () => {
    const p = join(dir, "all.zip");
    await writeFile(p, "zipbytes");
    const first = await download(pathToFileURL(p).toString(), opts());
    expect(first).toMatchObject({ kind: "file", path: p, bytes: 8 });
    const validators = first.kind === "file" ? first.validators : {};
    expect(await download(pathToFileURL(p).toString(), opts({ previous: validators }))).toEqual({ kind: "unchanged" });
    await utimes(p, new Date(), new Date(Date.now() + 5000));
    expect((await download(pathToFileURL(p).toString(), opts({ previous: validators }))).kind).toBe("file");
  });

  it("refuses a missing file or one over the cap with LKT_ERR_FEED_FETCH", async () => {
    await expect(download(pathToFileURL(join(dir, "nope.zip")).toString(), opts())).rejects.toMatchObject({ code: "LKT_ERR_FEED_FETCH" });
    const p = join(dir, "big.zip");
    await writeFile(p, Buffer.alloc(100));
    await expect(download(pathToFileURL(p).toString(), opts({ maxBytes: 10 }))).rejects.toMatchObject({ code: "LKT_ERR_FEED_FETCH", retryable: false });
  });

  it("never shows credentials or query strings of a feed URL", () => {
    expect(redact("https://user:pw@mirror.example/osv/all.zip?apiKey=s3cret")).toBe("https://mirror.example/osv/all.zip");
  });
});
