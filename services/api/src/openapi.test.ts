import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretBox, type Db } from "@lookout/db";
import { createLogger } from "@lookout/log";
import { createMetrics } from "@lookout/service-kit";
import { buildApiApp } from "./app.js";

// The app is built and inspected without listening (and without touching the database).
const app = buildApiApp({
  db: {} as Db, box: new SecretBox("k".repeat(32)), log: createLogger({ service: "test", level: "silent" }),
  metrics: createMetrics("api"), readiness: [], apiToken: "test-token", policy: {},
});

/** Every (METHOD, /path/{param}) fastify has registered, read from its route tree. */
function registeredRoutes(tree: string): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split("\n")) {
    const m = /^((?:│   |    )*)(?:├── |└── )(\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    const path = stack.join("").replace(/:(\w+)/g, "{$1}");
    for (const method of (m[3] ?? "").split(", ").filter(Boolean)) if (method !== "HEAD") out.push(`${method} ${path}`);
  }
  return out;
}

let doc: any;
beforeAll(async () => {
  await app.ready();
  const r = await app.inject({ method: "GET", url: "/openapi.json" });
  expect(r.statusCode).toBe(200);
  doc = r.json();
});
afterAll(() => app.close());

describe("GET /openapi.json", () => {
  it("is an OpenAPI 3.1 document served without the API token", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("documents every registered route, and only registered routes", () => {
    const routes = registeredRoutes(app.printRoutes({ commonPrefix: false }));
    expect(routes.length).toBeGreaterThan(15);
    expect(routes).toContain("POST /unsubscribe/{token}");
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(routes.filter((r) => !documented.includes(r))).toEqual([]);
    expect(documented.filter((r) => !routes.includes(r))).toEqual([]);
  });

  it("takes the subscription body schema from the validator: severities, kinds, cadence, channels", () => {
    const input = doc.components.schemas.SubscriptionInput;
    const text = JSON.stringify(input);
    for (const s of ["critical", "findings.resolved", "scan.failed", "everyMinutes", "whsec_"]) expect(text).toContain(s);
    expect(input.properties.channel.enum).toEqual(["slack", "email", "webhook"]);
    expect(input.properties.destination.oneOf).toHaveLength(3);
  });

  it("every /api operation requires the bearer token", () => {
    for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const op of Object.values(ops)) expect(Boolean(op.security), p).toBe(p.startsWith("/api/"));
    }
  });
});
