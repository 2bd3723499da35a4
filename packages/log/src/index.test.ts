import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./index.js";

describe("createLogger", () => {
  it("redacts credentials and keeps the service name", async () => {
    const lines: string[] = [];
    const dest = new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } });
    const log = createLogger({ service: "webhook", destination: dest as any });
    log.info({ req: { headers: { authorization: "Bearer s3cret" } }, registry: { password: "pw", host: "h" } }, "request in");
    const rec = JSON.parse(lines[0]!);
    expect(rec.service).toBe("webhook");
    expect(rec.level).toBe("info");
    expect(JSON.stringify(rec)).not.toContain("s3cret");
    expect(JSON.stringify(rec)).not.toContain('"pw"');
    expect(rec.registry.host).toBe("h");
  });
});
