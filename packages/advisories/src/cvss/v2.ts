import { get, invalid, parseMetrics, type CvssScore } from "./common.js";

const BASE = ["AV", "AC", "Au", "C", "I", "A"] as const;
const ALLOWED: Record<string, readonly string[]> = {
  AV: ["L", "A", "N"], AC: ["H", "M", "L"], Au: ["M", "S", "N"],
  C: ["N", "P", "C"], I: ["N", "P", "C"], A: ["N", "P", "C"],
  // temporal + environmental: accepted, not scored (the base score ignores them)
  E: ["U", "POC", "F", "H", "ND"], RL: ["OF", "TF", "W", "U", "ND"], RC: ["UC", "UR", "C", "ND"],
  CDP: ["N", "L", "LM", "MH", "H", "ND"], TD: ["N", "L", "M", "H", "ND"],
  CR: ["L", "M", "H", "ND"], IR: ["L", "M", "H", "ND"], AR: ["L", "M", "H", "ND"],
};
const AV: Record<string, number> = { L: 0.395, A: 0.646, N: 1.0 };
const AC: Record<string, number> = { H: 0.35, M: 0.61, L: 0.71 };
const AU: Record<string, number> = { M: 0.45, S: 0.56, N: 0.704 };
const CIA: Record<string, number> = { N: 0, P: 0.275, C: 0.66 };

/** Round half up to one decimal, absorbing binary noise (x.x4999999 that is really x.x5). */
function round1(x: number): number {
  return Math.round(x * 10 + 1e-9) / 10;
}

/** CVSS v2 base score (NVD formula). Accepts "AV:N/..." with optional "(...)" or "CVSS:2.0/" wrapper. */
export function scoreV2(vector: string): CvssScore {
  let body = vector.trim();
  if (body.startsWith("(") && body.endsWith(")")) body = body.slice(1, -1);
  if (body.startsWith("CVSS:2.0/")) body = body.slice("CVSS:2.0/".length);
  if (body.startsWith("CVSS:")) throw invalid(vector, "not a v2 vector");
  const m = parseMetrics(vector, body, ALLOWED, BASE);
  const c = CIA[get(m, "C")] ?? 0;
  const i = CIA[get(m, "I")] ?? 0;
  const a = CIA[get(m, "A")] ?? 0;
  const impact = 10.41 * (1 - (1 - c) * (1 - i) * (1 - a));
  const exploitability = 20 * (AV[get(m, "AV")] ?? 0) * (AC[get(m, "AC")] ?? 0) * (AU[get(m, "Au")] ?? 0);
  const f = impact === 0 ? 0 : 1.176;
  const base = Math.max(0, round1((0.6 * impact + 0.4 * exploitability - 1.5) * f));
  // NVD v2 rating: low < 4, medium < 7, high otherwise
  const severity = base === 0 ? "none" : base < 4 ? "low" : base < 7 ? "medium" : "high";
  return { version: "2.0", baseScore: base, severity };
}
