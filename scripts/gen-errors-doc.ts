// Regenerates docs/errors.md from ERROR_CODES: `node --import tsx scripts/gen-errors-doc.ts`.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ERROR_CODES } from "../packages/domain/src/errors.js";

const lines = [
  "# Error codes", "",
  "Every `LookoutError` carries one of these codes. Logs, recorded scan errors, delivery errors and",
  "API error bodies (`{\"error\": {\"code\", \"message\"}}`) use them; grep for the code.", "",
  "| code | meaning |", "| --- | --- |",
  ...Object.entries(ERROR_CODES).map(([k, v]) => `| \`${k}\` | ${v} |`),
];
writeFileSync(join(import.meta.dirname, "../docs/errors.md"), lines.join("\n") + "\n");
