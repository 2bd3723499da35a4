import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// No Docker engine runs here, so the compose file and Dockerfile are checked for what an
// operator relies on: every service exists, runs non-root, has a healthcheck, points at a
// real entry point, and the scanner is scaled.
const root = join(import.meta.dirname, "../..");
const compose = parse(readFileSync(join(root, "docker-compose.yml"), "utf8"), { merge: true }); // compose applies YAML merge keys
const lookoutServices = ["webhook", "scanner", "feed-sync", "notifier", "api"];

describe("docker-compose.yml", () => {
  it("runs every Lookout service against postgres, nats (JetStream) and redis", () => {
    expect(Object.keys(compose.services).sort()).toEqual([...lookoutServices, "nats", "postgres", "redis"].sort());
    expect(compose.services.nats.command).toContain("-js");
  });

  it.each(lookoutServices)("%s runs as non-root, waits for healthy dependencies and has an entry point that exists", (name) => {
    const s = compose.services[name];
    expect(s.user).toBe("node");
    expect(s.depends_on).toMatchObject({ postgres: { condition: "service_healthy" }, nats: { condition: "service_healthy" }, redis: { condition: "service_healthy" } });
    expect(s.command.slice(0, 3)).toEqual(["node", "--import", "tsx"]);
    expect(existsSync(join(root, s.command[3]))).toBe(true);
    expect(s.environment.DATABASE_URL).toMatch(/^postgres:\/\/.+@postgres:5432\//);
    expect(s.environment.HEALTH_PORT).toBe(s.environment[Object.keys(s.environment).find((k) => k.endsWith("_PORT") && k !== "HEALTH_PORT")!]);
  });

  it("scales the scanner to 2 and gives it time to drain", () => {
    expect(compose.services.scanner.deploy.replicas).toBe(2);
    expect(compose.services.scanner.stop_grace_period).toBe("30s");
  });

  it("gives every backing service a healthcheck", () => {
    for (const n of ["postgres", "nats", "redis"]) expect(compose.services[n].healthcheck.test.length).toBeGreaterThan(1);
  });
});

describe("deploy/Dockerfile", () => {
  const df = readFileSync(join(root, "deploy/Dockerfile"), "utf8");
  it("is multi-stage, pins pnpm, drops root and checks health", () => {
    expect(df.match(/^FROM /gm)).toHaveLength(2);
    const pinned = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager;
    expect(df).toContain(`npm install -g ${pinned}`);
    expect(df).toMatch(/^USER node$/m);
    expect(df).toMatch(/^HEALTHCHECK /m);
    expect(df).toContain("--frozen-lockfile");
  });
});
