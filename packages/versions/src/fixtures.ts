import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** One comparison vector from a testdata file: `a op b`. */
export interface Vector {
  file: string;
  line: number;
  a: string;
  b: string;
  want: -1 | 0 | 1;
}

const OPS: Record<string, -1 | 0 | 1> = { "<": -1, "=": 0, "==": 0, ">": 1 };

/** Reads a testdata vector file ("a op b" lines; "#" and "//" comments and blank lines skipped). */
export function readVectors(rel: string): Vector[] {
  const path = fileURLToPath(new URL(`../testdata/${rel}`, import.meta.url));
  const out: Vector[] = [];
  readFileSync(path, "utf8")
    .split("\n")
    .forEach((raw, i) => {
      const text = raw.trim();
      if (text === "" || text.startsWith("#") || text.startsWith("//")) return;
      const parts = text.split(/\s+/);
      const want = OPS[parts[1] ?? ""];
      if (parts.length !== 3 || want === undefined) throw new Error(`${rel}:${i + 1}: cannot read ${JSON.stringify(raw)}`);
      out.push({ file: rel, line: i + 1, a: parts[0] as string, b: parts[2] as string, want });
    });
  return out;
}
