import { LookoutError } from "@lookout/domain";

export type CvssVersion = "2.0" | "3.0" | "3.1" | "4.0";
/** FIRST qualitative rating (v3/v4); v2 has no "critical"/"none" in NVD's scale but we map 0 → none. */
export type CvssRating = "none" | "low" | "medium" | "high" | "critical";

export interface CvssScore {
  version: CvssVersion;
  /** v2/v3: the base score. v4: the single CVSS-B/BT/BE/BTE score the vector's metric groups give. */
  baseScore: number;
  severity: CvssRating;
}

/** Longest vector we accept: a full v4 vector with every optional metric is ~170 chars. */
export const MAX_VECTOR_LENGTH = 512;

export function invalid(vector: string, why: string): LookoutError {
  const shown = vector.length > 80 ? `${vector.slice(0, 80)}…` : vector;
  return new LookoutError("LKT_ERR_CVSS_INVALID", `invalid CVSS vector "${shown}": ${why}`);
}

/**
 * Split "K:V/K:V" into a map, checking every key is known, every value allowed and nothing repeats.
 * Order is not enforced: real data (and the FIRST v3.0 calculator's own tests) has out-of-order vectors.
 */
export function parseMetrics(
  vector: string,
  body: string,
  allowed: Readonly<Record<string, readonly string[]>>,
  mandatory: readonly string[],
): Map<string, string> {
  const out = new Map<string, string>();
  if (body === "") throw invalid(vector, "no metrics");
  for (const part of body.split("/")) {
    const i = part.indexOf(":");
    if (i <= 0) throw invalid(vector, `malformed metric "${part.slice(0, 20)}"`);
    const key = part.slice(0, i);
    const value = part.slice(i + 1);
    const values = Object.hasOwn(allowed, key) ? allowed[key] : undefined;
    if (values === undefined) throw invalid(vector, `unknown metric ${key.slice(0, 20)}`);
    if (!values.includes(value)) throw invalid(vector, `metric ${key} has invalid value "${value.slice(0, 20)}"`);
    if (out.has(key)) throw invalid(vector, `metric ${key} repeated`);
    out.set(key, value);
  }
  for (const key of mandatory) if (!out.has(key)) throw invalid(vector, `missing base metric ${key}`);
  return out;
}

export function get(m: Map<string, string>, key: string): string {
  const v = m.get(key);
  if (v === undefined) throw new LookoutError("LKT_ERR_INTERNAL", `cvss: metric ${key} missing after validation`);
  return v;
}

/** FIRST v3/v4 qualitative rating. */
export function ratingOf(score: number): CvssRating {
  if (score <= 0) return "none";
  if (score < 4) return "low";
  if (score < 7) return "medium";
  if (score < 9) return "high";
  return "critical";
}
