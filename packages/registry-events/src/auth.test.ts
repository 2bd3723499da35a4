import { describe, expect, it } from "vitest";
import { bearerToken, secretsEqual } from "./auth.js";
import { repositoryAllowed } from "./match.js";

describe("auth", () => {
  it("compares secrets of any length", () => {
    expect(secretsEqual("abc", "abc")).toBe(true);
    expect(secretsEqual("abd", "abc")).toBe(false);
    expect(secretsEqual("a", "abc")).toBe(false);
    expect(secretsEqual(undefined, "")).toBe(false);
  });
  it("extracts bearer tokens", () => {
    expect(bearerToken("Bearer eval-webhook-token")).toBe("eval-webhook-token");
    expect(bearerToken("Basic Zm9vOmJhcg==")).toBeUndefined();
  });
  it("matches repository globs by segment", () => {
    expect(repositoryAllowed("team-a/api", ["team-a/*"])).toBe(true);
    expect(repositoryAllowed("team-a/x/api", ["team-a/*"])).toBe(false);
    expect(repositoryAllowed("team-a/x/api", ["team-a/**"])).toBe(true);
  });
});
