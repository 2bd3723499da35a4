import { describe, expect, it } from "vitest";
import { loadFeedSyncConfig } from "../config.js";
import { SOURCES } from "./index.js";

describe("source registry", () => {
  it("has unique names and builds every source from the default config", () => {
    const names = SOURCES.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    const cfg = loadFeedSyncConfig({});
    expect(SOURCES.map((s) => s.create(cfg).name)).toEqual(names);
  });
});
