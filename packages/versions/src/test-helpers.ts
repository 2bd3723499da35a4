import { expect } from "vitest";
import type { VersionScheme } from "./scheme.js";

const WANT = { "<": -1, "=": 0, ">": 1 } as const;

/** Asserts `a op b` in both directions for every row. Test-only helper. */
export function expectOrder(scheme: VersionScheme, rows: [string, "<" | "=" | ">", string][]): void {
  for (const [a, op, b] of rows) {
    expect(scheme.compare(a, b), `${scheme.name}: ${a} ${op} ${b}`).toBe(WANT[op]);
    expect(scheme.compare(b, a), `${scheme.name}: ${b} vs ${a}`).toBe(WANT[op] === 0 ? 0 : -WANT[op]);
  }
}

/** Asserts each input is refused by `valid` and by `compare` with LKT_ERR_VERSION_INVALID. */
export function expectInvalid(scheme: VersionScheme, inputs: string[], other = "1"): void {
  for (const v of inputs) {
    expect(scheme.valid(v), `${scheme.name}: ${JSON.stringify(v)} should be invalid`).toBe(false);
    expect(() => scheme.compare(v, other), JSON.stringify(v)).toThrow(expect.objectContaining({ code: "LKT_ERR_VERSION_INVALID" }));
    expect(() => scheme.compare(other, v), JSON.stringify(v)).toThrow(expect.objectContaining({ code: "LKT_ERR_VERSION_INVALID" }));
  }
}
