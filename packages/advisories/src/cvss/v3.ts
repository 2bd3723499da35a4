import { get, invalid, parseMetrics, ratingOf, type CvssScore } from "./common.js";

const BASE = ["AV", "AC", "PR", "UI", "S", "C", "I", "A"] as const;
const CIA3 = ["X", "N", "L", "H"];
const ALLOWED: Record<string, readonly string[]> = {
  AV: ["N", "A", "L", "P"], AC: ["L", "H"], PR: ["N", "L", "H"], UI: ["N", "R"], S: ["U", "C"],
  C: ["N", "L", "H"], I: ["N", "L", "H"], A: ["N", "L", "H"],
  // temporal + environmental: validated, not part of the base score
  E: ["X", "U", "P", "F", "H"], RL: ["X", "O", "T", "W", "U"], RC: ["X", "U", "R", "C"],
  CR: ["X", "L", "M", "H"], IR: ["X", "L", "M", "H"], AR: ["X", "L", "M", "H"],
  MAV: ["X", "N", "A", "L", "P"], MAC: ["X", "L", "H"], MPR: ["X", "N", "L", "H"], MUI: ["X", "N", "R"],
  MS: ["X", "U", "C"], MC: CIA3, MI: CIA3, MA: CIA3,
};
const AV: Record<string, number> = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 };
const AC: Record<string, number> = { L: 0.77, H: 0.44 };
const PR_U: Record<string, number> = { N: 0.85, L: 0.62, H: 0.27 };
const PR_C: Record<string, number> = { N: 0.85, L: 0.68, H: 0.5 };
const UI: Record<string, number> = { N: 0.85, R: 0.62 };
const CIA: Record<string, number> = { H: 0.56, L: 0.22, N: 0 };

/** CVSS v3.1 Roundup (spec Appendix A): integer arithmetic so 4.000000001 stays 4.0. */
function roundup(x: number): number {
  const n = Math.round(x * 100_000);
  return n % 10_000 === 0 ? n / 100_000 : (Math.floor(n / 10_000) + 1) / 10;
}

/** CVSS v3.0 / v3.1 base score from "CVSS:3.x/..." (metric order not enforced). */
export function scoreV3(vector: string): CvssScore {
  const v = vector.trim();
  const version = v.startsWith("CVSS:3.1/") ? "3.1" : v.startsWith("CVSS:3.0/") ? "3.0" : undefined;
  if (version === undefined) throw invalid(vector, "expected CVSS:3.0/ or CVSS:3.1/ prefix");
  const m = parseMetrics(vector, v.slice("CVSS:3.x/".length), ALLOWED, BASE);
  const changed = get(m, "S") === "C";
  const iss = 1 - (1 - (CIA[get(m, "C")] ?? 0)) * (1 - (CIA[get(m, "I")] ?? 0)) * (1 - (CIA[get(m, "A")] ?? 0));
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  const pr = (changed ? PR_C : PR_U)[get(m, "PR")] ?? 0;
  const exploitability = 8.22 * (AV[get(m, "AV")] ?? 0) * (AC[get(m, "AC")] ?? 0) * pr * (UI[get(m, "UI")] ?? 0);
  let base = 0;
  if (impact > 0) base = roundup(Math.min((changed ? 1.08 : 1) * (impact + exploitability), 10));
  return { version, baseScore: base, severity: ratingOf(base) };
}
