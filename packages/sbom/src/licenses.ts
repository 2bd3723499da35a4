import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
/** spdx-expression-parse (CJS): throws on anything that is not a valid SPDX expression. */
const parseSpdx = require("spdx-expression-parse") as (s: string) => { license?: string; conjunction?: string; exception?: string };

export type LicenseKind = { kind: "id"; id: string } | { kind: "expression"; expression: string } | { kind: "name"; name: string };

/**
 * Sorts a license string a package declared into an SPDX id ("MIT"), a compound SPDX
 * expression ("MIT AND BSD-2-Clause") or a free-text name ("GPLv2+", "BSD"): distro
 * databases hold all three, and both SBOM formats treat them differently.
 */
export function classifyLicense(raw: string): LicenseKind {
  const s = raw.trim();
  try {
    const ast = parseSpdx(s);
    if (ast.license && !ast.conjunction && !ast.exception && !s.includes("+") && !s.startsWith("LicenseRef-") && !s.includes("(")) {
      return { kind: "id", id: ast.license };
    }
    return { kind: "expression", expression: s };
  } catch {
    return { kind: "name", name: s };
  }
}

/** SPDX-safe LicenseRef for a free-text license name. */
export function licenseRef(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9.-]+/g, "-").replace(/^-+|-+$/g, "");
  return `LicenseRef-${clean || "unknown"}`;
}
