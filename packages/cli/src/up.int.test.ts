import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../../..");
const dataDir = mkdtempSync(join(tmpdir(), "lkt-up-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("lookout up", () => {
  it("a port already in use: one line naming the service, exit status 1, nothing left running", async () => {
    // Uses the NATS and Redis already answering on their default addresses (as `npm test` ensures).
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
    const port = (taken.address() as AddressInfo).port;
    try {
      const child = spawn(process.execPath, ["--import", "tsx", join(root, "packages/cli/src/main.ts"), "up"], {
        cwd: root,
        env: {
          ...process.env, DATABASE_URL: "", LOOKOUT_DATA_DIR: dataDir, LOOKOUT_NAMESPACE: `up-test-${process.pid}`,
          WEBHOOK_PORT: String(port), SCANNER_PORT: "0", FEED_SYNC_PORT: "0", NOTIFIER_PORT: "0", API_PORT: "0", LOG_LEVEL: "warn",
        },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr!.on("data", (d) => (stderr += d));
      // Before the fix the process printed the error and then stayed up on its open connections.
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => { child.kill("SIGKILL"); resolve(null); }, 60_000);
        child.on("exit", (c) => { clearTimeout(timer); resolve(c); });
      });
      expect(code).toBe(1);
      expect(stderr).toMatch(new RegExp(`^lookout: webhook: listen EADDRINUSE: address already in use 127\\.0\\.0\\.1:${port}$`, "m"));
    } finally {
      taken.close();
    }
  }, 90_000);
});
