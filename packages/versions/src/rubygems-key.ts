import type { GemSegment } from "./rubygems.js";

/**
 * Order-preserving key for Gem::Version canonical segments. Gem compares segment by segment with
 * missing segments as 0, so a run of k zeros only matters through what follows it. Each unit is
 * "k zeros, then X": X a string sorts below everything at that depth, X a number above, and the
 * end of the version (endless zeros) in between. Hence: strings "1"+k+s (smaller k first), end
 * "2", numbers "3"+(9999-k)+n (smaller k last). Undefined for numbers over 99 digits.
 */
export function rubygemsSortKey(segs: GemSegment[]): string | undefined {
  let key = "";
  let zeros = 0;
  for (const s of segs) {
    if ("num" in s) {
      const n = s.num.replace(/^0+/, "");
      if (n === "") {
        zeros++;
        continue;
      }
      if (n.length > 99) return undefined;
      key += `3${String(9999 - zeros).padStart(4, "0")}${String(n.length).padStart(2, "0")}${n}`;
    } else {
      // "\u0001" ends the string below every letter, so "a" < "ab".
      key += `1${String(zeros).padStart(4, "0")}${s.str}\u0001`;
    }
    zeros = 0;
  }
  return `${key}2`;
}
