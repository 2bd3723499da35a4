import { describe, expect, it } from "vitest";
import { ConfigError, env, loadConfig, matchScopeEnv, matchScopeOf, parseDuration, parseSize } from "./index.js";

describe("loadConfig", () => {
  const shape = {
    PORT: env.port(8080),
    REDIS_URL: env.url("redis://127.0.0.1:6379"),
    API_TOKEN: env.string(),
    INTERVAL: env.duration("1h"),
    LIMIT: env.size("1MiB"),
    ON: env.bool(false),
  };

  it("fills defaults and converts units", () => {
    const c = loadConfig(shape, { API_TOKEN: "t" });
    expect(c).toMatchObject({ PORT: 8080, INTERVAL: 3_600_000, LIMIT: 1_048_576, ON: false, API_TOKEN: "t" });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it("lists every problem, one line each naming the variable", () => {
    let err: ConfigError | undefined;
    try {
      loadConfig(shape, { PORT: "99999", INTERVAL: "soon", LIMIT: "big", ON: "maybe" });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.problems).toEqual(
      expect.arrayContaining([
        "PORT must be a whole number from 0 to 65535",
        "API_TOKEN is required",
        "INTERVAL must be a duration like 500ms, 30s, 5m, 1h or 7d",
        "LIMIT must be a size like 1048576, 512KiB, 1MiB or 2GiB",
        "ON must be true or false",
      ]),
    );
    expect(err!.problems).toHaveLength(5);
  });

  it("parses units", () => {
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("7d")).toBe(604_800_000);
    expect(parseDuration("7")).toBeUndefined();
    expect(parseSize("2GiB")).toBe(2 * 1024 ** 3);
  });
});

describe("matchScopeEnv", () => {
  it("defaults to the conservative scope: no Ubuntu Pro, no Red Hat streams, no SUSE LTSS", () => {
    expect(matchScopeOf(loadConfig(matchScopeEnv, {}))).toEqual({ includeUbuntuPro: false, redHatStreams: [], includeSuseLtss: false });
  });
  it("reads the streams list and flags", () => {
    const c = loadConfig(matchScopeEnv, { LOOKOUT_UBUNTU_PRO: "yes", LOOKOUT_REDHAT_STREAMS: " EUS, aus ", LOOKOUT_SUSE_LTSS: "1" });
    expect(matchScopeOf(c)).toEqual({ includeUbuntuPro: true, redHatStreams: ["eus", "aus"], includeSuseLtss: true });
  });
  it("names an unknown stream in one line", () => {
    expect(() => loadConfig(matchScopeEnv, { LOOKOUT_REDHAT_STREAMS: "eus,beta" })).toThrow(ConfigError);
    try {
      loadConfig(matchScopeEnv, { LOOKOUT_REDHAT_STREAMS: "eus,beta" });
    } catch (e) {
      expect((e as ConfigError).problems).toEqual(["LOOKOUT_REDHAT_STREAMS unknown stream beta: use eus, aus, e4s or tus"]);
    }
  });
});
