import { SAMPLE_HEAD_BYTES, type SamplePlan, type SampledRange } from "@lookout/domain";
import type { TarBodySink } from "./tar-scan.js";

/** Most bytes one sampled file may keep in memory; a plan asking for more keeps the whole file. */
export const MAX_SAMPLED_BYTES = 16 << 20;
/** Most sampled bytes one layer holds (they live until the layer is cataloged); past it, files are kept whole. */
export const MAX_SAMPLED_LAYER_BYTES = 32 << 20;

export interface SampleOutcome {
  /** Whether `bytes` more sampled bytes fit the layer's budget (counted when true). */
  admit(bytes: number): boolean;
  /** Keep the whole file after all: the sink to continue with (the head is fed to it first). */
  whole(): TarBodySink;
  /** The file was sampled: its kept ranges (head included), or undefined when nothing is kept. */
  done(ranges: SampledRange[] | undefined): void;
}

/**
 * A tar body sink that holds a file's first SAMPLE_HEAD_BYTES, asks `decide` what to keep and
 * then keeps only that while the rest streams past: the executables a build-info reader needs
 * a few hundred KiB of are not copied whole into scratch. A plan that is malformed, throws,
 * asks for more than MAX_SAMPLED_BYTES or does not fit the layer's budget keeps the whole file
 * instead (the safe answer).
 */
export function sampleSink(size: number, decide: (head: Buffer) => SamplePlan, outcome: SampleOutcome): TarBodySink {
  const headLen = Math.min(size, SAMPLE_HEAD_BYTES);
  const head = Buffer.allocUnsafe(headLen);
  let have = 0;
  let decided = false;
  let inner: TarBodySink | undefined;
  let skip = false;
  let ranges: SampledRange[] = [];
  let pos = 0;

  const settle = () => {
    decided = true;
    let plan: SamplePlan;
    try {
      plan = decide(head);
    } catch {
      plan = "whole";
    }
    let wanted = plan === "whole" || plan === "skip" ? undefined : normalise(plan.ranges, size, headLen);
    if (wanted && !outcome.admit(wanted.reduce((n, r) => n + r[1], headLen))) wanted = undefined;
    if (plan === "skip") skip = true;
    else if (!wanted) {
      inner = outcome.whole();
      if (headLen > 0) inner.data(head);
    } else {
      ranges = [{ offset: 0, bytes: head }, ...wanted.map(([offset, length]) => ({ offset, bytes: Buffer.allocUnsafe(length) }))];
    }
  };

  return {
    data(v) {
      let off = 0;
      if (!decided) {
        off = v.copy(head, have, 0, Math.min(v.length, headLen - have));
        have += off;
        pos += off;
        if (have < headLen) return;
        settle();
        if (off === v.length) return;
      }
      if (inner) return inner.data(off === 0 ? v : v.subarray(off));
      const start = pos;
      pos += v.length - off;
      if (skip) return;
      // Copy what overlaps each wanted range (the head, ranges[0], is complete already).
      for (let i = 1; i < ranges.length; i++) {
        const r = ranges[i]!;
        const from = Math.max(start, r.offset);
        const to = Math.min(pos, r.offset + r.bytes.length);
        if (from < to) v.copy(r.bytes, from - r.offset, off + (from - start), off + (to - start));
      }
    },
    end() {
      if (!decided) settle();
      if (inner) return inner.end();
      outcome.done(skip ? undefined : ranges);
    },
  };
}

/**
 * Sorted, merged ranges beyond the head, clipped to the file; undefined (keep whole) when the
 * plan is malformed or asks for more than the cap.
 */
function normalise(plan: readonly (readonly [number, number])[], size: number, headLen: number): [number, number][] | undefined {
  if (!Array.isArray(plan)) return undefined;
  const rs: [number, number][] = [];
  for (const r of plan) {
    const [off, len] = Array.isArray(r) ? r : [NaN, NaN];
    if (!Number.isSafeInteger(off) || !Number.isSafeInteger(len) || off < 0 || len < 0) return undefined;
    const from = Math.max(off, headLen);
    const to = Math.min(off + len, size);
    if (from < to) rs.push([from, to]);
  }
  rs.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  let total = headLen;
  for (const [from, to] of rs) {
    const last = merged[merged.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  for (const [from, to] of merged) total += to - from;
  if (total > MAX_SAMPLED_BYTES) return undefined;
  return merged.map(([from, to]) => [from, to - from]);
}
