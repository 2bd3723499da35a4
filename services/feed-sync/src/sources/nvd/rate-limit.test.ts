import { describe, expect, it } from "vitest";
import { RollingWindow } from "./rate-limit.js";

describe("RollingWindow", () => {
  it("lets `limit` requests through per rolling window and makes the next wait for the oldest to age out", async () => {
    let now = 1_000_000;
    const waits: number[] = [];
    const w = new RollingWindow(5, 30_000, () => now, async (ms) => { waits.push(ms); now += ms; });
    const starts: number[] = [];
    for (let i = 0; i < 12; i++) {
      await w.acquire();
      starts.push(now);
      now += 1_000; // each request takes a second
    }
    // NVD's public limit: never more than 5 starts in any 30 s.
    for (let i = 5; i < starts.length; i++) expect(starts[i]! - starts[i - 5]!).toBeGreaterThanOrEqual(30_000);
    expect(starts.slice(0, 6).map((t) => t - 1_000_000)).toEqual([0, 1_000, 2_000, 3_000, 4_000, 30_000]);
    expect(waits[0]).toBe(25_000);
  });

  it("gives up waiting when its signal aborts", async () => {
    const w = new RollingWindow(1, 60_000);
    await w.acquire();
    const ac = new AbortController();
    const p = w.acquire(ac.signal);
    ac.abort(new Error("stopping"));
    await expect(p).rejects.toThrow("stopping");
  });
});
