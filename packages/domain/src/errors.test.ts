import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, LookoutError, describeError } from "./errors.js";

describe("error codes", () => {
  it("are all documented in docs/errors.md (regenerate: node --import tsx scripts/gen-errors-doc.ts)", () => {
    const doc = readFileSync(join(import.meta.dirname, "../../../docs/errors.md"), "utf8");
    const documented = [...doc.matchAll(/\| `(LKT_ERR_[A-Z0-9_]+)` \|/g)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it("describe an error chain on one line", () => {
    const e = new LookoutError("LKT_ERR_LAYER_CORRUPT", "layer sha256:ab: gzip stream truncated", { cause: new Error("unexpected end of file") });
    expect(describeError(e)).toBe("LKT_ERR_LAYER_CORRUPT: layer sha256:ab: gzip stream truncated: unexpected end of file");
  });
});
