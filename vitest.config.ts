import { defineConfig } from "vitest/config";

// Two projects: `unit` (pure code, no sockets, runs anywhere) and `integration` (*.int.test.ts:
// real Postgres, Redis, NATS, registry and SMTP; needs the services .ci/run starts).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          sequence: { groupOrder: 0 },
          include: ["packages/**/src/**/*.test.ts", "services/**/src/**/*.test.ts", "test/unit/**/*.test.ts"],
          exclude: ["**/node_modules/**", "**/*.int.test.ts"],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "integration",
          sequence: { groupOrder: 1 },
          include: ["packages/**/src/**/*.int.test.ts", "services/**/src/**/*.int.test.ts", "test/**/*.int.test.ts"],
          exclude: ["**/node_modules/**"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // 2 cores: integration files share real services, keep them from starving each other.
          maxWorkers: 2,
        },
      },
    ],
  },
});
