import { invalid, parseMetrics, ratingOf, type CvssScore } from "./common.js";
import { LOOKUP, MAX_COMPOSED, MAX_SEVERITY } from "./v4-tables.js";

/*
 * CVSS v4.0 score: a port of the FIRST / Red Hat calculator (cvss40.js `calculateScore`,
 * BSD-2-Clause). The vector is reduced to a MacroVector (EQ1..EQ6), its lookup score is taken, and
 * the score is lowered by the mean proportional distance to the highest-severity vector of that
 * MacroVector, relative to the next lower MacroVector of each EQ.
 */

const BASE = ["AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA"] as const;
const X = (...v: string[]): string[] => ["X", ...v];
const ALLOWED: Record<string, readonly string[]> = {
  AV: ["N", "A", "L", "P"], AC: ["L", "H"], AT: ["N", "P"], PR: ["N", "L", "H"], UI: ["N", "P", "A"],
  VC: ["N", "L", "H"], VI: ["N", "L", "H"], VA: ["N", "L", "H"],
  SC: ["N", "L", "H"], SI: ["N", "L", "H"], SA: ["N", "L", "H"],
  E: X("A", "P", "U"),
  CR: X("H", "M", "L"), IR: X("H", "M", "L"), AR: X("H", "M", "L"),
  MAV: X("N", "A", "L", "P"), MAC: X("L", "H"), MAT: X("N", "P"), MPR: X("N", "L", "H"), MUI: X("N", "P", "A"),
  MVC: X("H", "L", "N"), MVI: X("H", "L", "N"), MVA: X("H", "L", "N"),
  MSC: X("H", "L", "N"), MSI: X("S", "H", "L", "N"), MSA: X("S", "H", "L", "N"),
  S: X("N", "P"), AU: X("N", "Y"), R: X("A", "U", "I"), V: X("D", "C"), RE: X("L", "M", "H"),
  U: X("Clear", "Green", "Amber", "Red"),
};

/** Severity step of each metric value, used to measure distance inside a MacroVector. */
const LEVELS: Record<string, Record<string, number>> = {
  AV: { N: 0.0, A: 0.1, L: 0.2, P: 0.3 },
  PR: { N: 0.0, L: 0.1, H: 0.2 },
  UI: { N: 0.0, P: 0.1, A: 0.2 },
  AC: { L: 0.0, H: 0.1 },
  AT: { N: 0.0, P: 0.1 },
  VC: { H: 0.0, L: 0.1, N: 0.2 },
  VI: { H: 0.0, L: 0.1, N: 0.2 },
  VA: { H: 0.0, L: 0.1, N: 0.2 },
  SC: { H: 0.1, L: 0.2, N: 0.3 },
  SI: { S: 0.0, H: 0.1, L: 0.2, N: 0.3 },
  SA: { S: 0.0, H: 0.1, L: 0.2, N: 0.3 },
  CR: { H: 0.0, M: 0.1, L: 0.2 },
  IR: { H: 0.0, M: 0.1, L: 0.2 },
  AR: { H: 0.0, M: 0.1, L: 0.2 },
  E: { U: 0.2, P: 0.1, A: 0 },
};

const WORST_DEFAULT: Record<string, string> = { E: "A", CR: "H", IR: "H", AR: "H" };

/** Effective value: X threat/requirement → worst case; a modified (M*) metric overrides its base. */
function eff(m: Map<string, string>, metric: string): string {
  const v = m.get(metric) ?? "X";
  if (v === "X" && WORST_DEFAULT[metric] !== undefined) return WORST_DEFAULT[metric];
  const mod = m.get(`M${metric}`);
  if (mod !== undefined && mod !== "X") return mod;
  return v;
}

function macroVector(m: Map<string, string>): string {
  const e = (k: string): string => eff(m, k);
  const [av, pr, ui] = [e("AV"), e("PR"), e("UI")];
  let eq1 = "2";
  if (av === "N" && pr === "N" && ui === "N") eq1 = "0";
  else if ((av === "N" || pr === "N" || ui === "N") && av !== "P") eq1 = "1";
  const eq2 = e("AC") === "L" && e("AT") === "N" ? "0" : "1";
  const [vc, vi, va] = [e("VC"), e("VI"), e("VA")];
  const eq3 = vc === "H" && vi === "H" ? "0" : vc === "H" || vi === "H" || va === "H" ? "1" : "2";
  const eq4 = e("MSI") === "S" || e("MSA") === "S" ? "0" : e("SC") === "H" || e("SI") === "H" || e("SA") === "H" ? "1" : "2";
  const ex = e("E");
  const eq5 = ex === "A" ? "0" : ex === "P" ? "1" : "2";
  const eq6 = (e("CR") === "H" && vc === "H") || (e("IR") === "H" && vi === "H") || (e("AR") === "H" && va === "H") ? "0" : "1";
  return eq1 + eq2 + eq3 + eq4 + eq5 + eq6;
}

/** Value of `metric` inside a composed max vector such as "AV:N/PR:N/UI:N/AC:L/...". */
function extract(metric: string, maxVector: string): string {
  for (const part of maxVector.split("/")) {
    const i = part.indexOf(":");
    if (part.slice(0, i) === metric) return part.slice(i + 1);
  }
  return "";
}

type Table = Readonly<Record<string, unknown>>;
function pick<T>(table: Table, key: string | number): T {
  return table[String(key)] as T;
}

function distances(m: Map<string, string>, maxVector: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const metric of Object.keys(LEVELS)) {
    const levels = LEVELS[metric] ?? {};
    out[metric] = (levels[eff(m, metric)] ?? NaN) - (levels[extract(metric, maxVector)] ?? NaN);
  }
  return out;
}

function calculate(m: Map<string, string>): number {
  if (["VC", "VI", "VA", "SC", "SI", "SA"].every((k) => eff(m, k) === "N")) return 0;
  const mv = macroVector(m);
  const value = LOOKUP[mv];
  if (value === undefined) return 0; // unreachable: every valid vector maps to a listed MacroVector
  const [eq1, eq2, eq3, eq4, eq5, eq6] = mv.split("").map(Number) as [number, number, number, number, number, number];
  const key = (a: number, b: number, c: number, d: number, e: number, f: number): string => `${a}${b}${c}${d}${e}${f}`;
  const look = (k: string): number => LOOKUP[k] ?? NaN;

  const lowerEq1 = look(key(eq1 + 1, eq2, eq3, eq4, eq5, eq6));
  const lowerEq2 = look(key(eq1, eq2 + 1, eq3, eq4, eq5, eq6));
  let lowerEq3Eq6: number;
  if (eq3 === 0 && eq6 === 0) {
    // two paths down (00 → 01 and 00 → 10): take the higher score
    lowerEq3Eq6 = Math.max(look(key(eq1, eq2, eq3, eq4, eq5, eq6 + 1)), look(key(eq1, eq2, eq3 + 1, eq4, eq5, eq6)));
  } else if (eq3 === 1 && eq6 === 0) {
    lowerEq3Eq6 = look(key(eq1, eq2, eq3, eq4, eq5, eq6 + 1));
  } else if (eq6 === 1 && eq3 < 2) {
    lowerEq3Eq6 = look(key(eq1, eq2, eq3 + 1, eq4, eq5, eq6));
  } else {
    lowerEq3Eq6 = look(key(eq1, eq2, eq3 + 1, eq4, eq5, eq6 + 1)); // 21 → 32: does not exist
  }
  const lowerEq4 = look(key(eq1, eq2, eq3, eq4 + 1, eq5, eq6));
  const lowerEq5 = look(key(eq1, eq2, eq3, eq4, eq5 + 1, eq6));

  const eqMaxes: string[][] = [
    pick<string[]>(MAX_COMPOSED.eq1, eq1),
    pick<string[]>(MAX_COMPOSED.eq2, eq2),
    pick<string[]>(pick<Table>(MAX_COMPOSED.eq3, eq3), eq6),
    pick<string[]>(MAX_COMPOSED.eq4, eq4),
    pick<string[]>(MAX_COMPOSED.eq5, eq5),
  ];
  // first composed max vector that is at least as severe as ours in every metric
  let d: Record<string, number> = {};
  search: for (const a of eqMaxes[0] ?? [])
    for (const b of eqMaxes[1] ?? [])
      for (const c of eqMaxes[2] ?? [])
        for (const e4 of eqMaxes[3] ?? [])
          for (const e5 of eqMaxes[4] ?? []) {
            d = distances(m, a + b + c + e4 + e5);
            if (Object.values(d).every((x) => x >= 0)) break search;
          }
  const dist = (...ks: string[]): number => ks.reduce((s, k) => s + (d[k] ?? 0), 0);
  const STEP = 0.1;
  const parts: [number, number, number][] = [
    [lowerEq1, dist("AV", "PR", "UI"), pick<number>(MAX_SEVERITY.eq1, eq1) * STEP],
    [lowerEq2, dist("AC", "AT"), pick<number>(MAX_SEVERITY.eq2, eq2) * STEP],
    [lowerEq3Eq6, dist("VC", "VI", "VA", "CR", "IR", "AR"), pick<number>(pick<Table>(MAX_SEVERITY.eq3eq6, eq3), eq6) * STEP],
    [lowerEq4, dist("SC", "SI", "SA"), pick<number>(MAX_SEVERITY.eq4, eq4) * STEP],
    [lowerEq5, 0, 1], // EQ5's proportion is always 0, but an existing lower MacroVector still counts
  ];
  let n = 0;
  let sum = 0;
  for (const [lower, current, maxSeverity] of parts) {
    const available = value - lower;
    if (Number.isNaN(available)) continue;
    n++;
    sum += available * (current / maxSeverity);
  }
  const mean = n === 0 ? 0 : sum / n;
  const score = Math.max(0, Math.min(10, value - mean));
  // Round half up; the epsilon absorbs binary noise (5.6499999999999995 is 5.65), as the FIRST
  // calculator's later rounding fix and the RH Python library do.
  return parseFloat((Math.round(score * 10 + 1e-6) / 10).toFixed(1));
}

/** CVSS v4.0 score from "CVSS:4.0/..." (base, threat and environmental metrics all count). */
export function scoreV4(vector: string): CvssScore {
  const v = vector.trim();
  if (!v.startsWith("CVSS:4.0/")) throw invalid(vector, "expected CVSS:4.0/ prefix");
  const m = parseMetrics(vector, v.slice("CVSS:4.0/".length), ALLOWED, BASE);
  const score = calculate(m);
  return { version: "4.0", baseScore: score, severity: ratingOf(score) };
}
