import { describe, expect, it } from "vitest";
import { parseWwwAuthenticate } from "./www-authenticate.js";
import { parseDockerConfigAuths } from "./config.js";

describe("parseWwwAuthenticate", () => {
  it("parses the Docker token challenge as distribution sends it", () => {
    // Header shape from distribution's registry/auth/token/accesscontroller.go.
    const c = parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/debian:pull"');
    expect(c).toEqual({ scheme: "bearer", params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:library/debian:pull" } });
  });
  it("handles basic, spaces, unquoted values and escapes", () => {
    expect(parseWwwAuthenticate('Basic realm="Registry Realm"')).toEqual({ scheme: "basic", params: { realm: "Registry Realm" } });
    expect(parseWwwAuthenticate('Bearer realm=x, error="insufficient_scope", scope="a \\"b\\""')!.params).toEqual({ realm: "x", error: "insufficient_scope", scope: 'a "b"' });
    expect(parseWwwAuthenticate("")).toBeUndefined();
  });
});

describe("parseDockerConfigAuths", () => {
  it("reads base64 auth, explicit fields and identity tokens, keyed by host", () => {
    const m = parseDockerConfigAuths(
      JSON.stringify({
        auths: {
          "https://index.docker.io/v1/": { auth: Buffer.from("alice:pa:ss").toString("base64") },
          "reg.example.test:5000": { username: "bob", password: "pw" },
          "acr.example.test": { identitytoken: "refresh" },
          "helper-only.test": {},
        },
        credHelpers: { "x.test": "ecr-login" },
      }),
    );
    expect(m.get("index.docker.io")).toEqual({ username: "alice", password: "pa:ss" });
    expect(m.get("reg.example.test:5000")).toEqual({ username: "bob", password: "pw" });
    expect(m.get("acr.example.test")).toEqual({ identityToken: "refresh" });
    expect(m.has("helper-only.test")).toBe(false);
  });
  it("gives a typed error for malformed JSON", () => {
    expect(() => parseDockerConfigAuths("{")).toThrow(/not valid JSON/);
  });
});
