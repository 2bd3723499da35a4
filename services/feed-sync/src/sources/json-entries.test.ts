import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { topLevelEntries, type Entry } from "./json-entries.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lk-json-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const collect = async (text: string) => {
  const p = join(dir, `${Math.random()}.json`);
  await writeFile(p, text);
  const out: Entry[] = [];
  for await (const e of topLevelEntries(p)) out.push(e);
  return out;
};

describe("topLevelEntries", () => {
  it("yields every member of the top-level object, across 64 KiB chunk boundaries", async () => {
    const doc: Record<string, unknown> = {};
    for (let i = 0; i < 3000; i++) doc[`pkg${i}`] = { [`CVE-2024-${i}`]: { releases: { bookworm: { status: "open", note: "x".repeat(50) } } } };
    const out = await collect(JSON.stringify(doc));
    expect(out).toHaveLength(3000);
    expect(out[2999]).toEqual({ key: "pkg2999", value: doc.pkg2999 });
  });

  it("invalid JSON ends the walk with one error after the members before it", async () => {
    const out = await collect('{"a": {"x": 1}, "b": {"y": tru');
    expect(out[0]).toEqual({ key: "a", value: { x: 1 } });
    expect(out.at(-1)).toMatchObject({ error: expect.stringMatching(/^invalid JSON/) });
  });
});
