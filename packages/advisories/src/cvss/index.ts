import { invalid, MAX_VECTOR_LENGTH, type CvssScore } from "./common.js";
import { scoreV2 } from "./v2.js";
import { scoreV3 } from "./v3.js";
import { scoreV4 } from "./v4.js";

export type { CvssRating, CvssScore, CvssVersion } from "./common.js";

/**
 * Score a CVSS vector of any supported version (v2, v3.0, v3.1, v4.0), picked by its prefix
 * (no prefix → v2). Throws LookoutError LKT_ERR_VALIDATION with a one-line reason for anything
 * malformed: unknown metric, bad value, repeated or missing base metric, over-long string.
 */
export function score(vector: string): CvssScore {
  if (typeof vector !== "string" || vector.length > MAX_VECTOR_LENGTH) throw invalid(String(vector).slice(0, 80), "not a string or too long");
  // Feeds repeat a few thousand distinct vectors across many records: score each once (bounded).
  const hit = scored.get(vector);
  if (hit) return hit;
  const s = Object.freeze(scoreUncached(vector.trim()));
  if (scored.size >= 4096) scored.clear();
  scored.set(vector, s);
  return s;
}

const scored = new Map<string, CvssScore>();

function scoreUncached(v: string): CvssScore {
  if (v.startsWith("CVSS:4.0/")) return scoreV4(v);
  if (v.startsWith("CVSS:3.")) return scoreV3(v);
  return scoreV2(v);
}

export { scoreV2, scoreV3, scoreV4 };
