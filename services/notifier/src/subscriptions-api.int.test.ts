import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, WEBHOOK_SECRET, type Harness } from "./test-support.js";

// The api alone, with the operator's default policy (loopback NOT allowed), and the CLI against it.
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ notifier: false, extraEnv: { NOTIFIER_ALLOW_LOOPBACK: "false" } });
});
afterAll(() => h?.stop());

// No DNS here, so a valid destination is a public address literal (example.com's). Nothing is ever
// sent to it: this harness runs no notifier.
const PUBLIC = "93.184.215.14";
const base = { name: "x", channel: "webhook", destination: { url: `https://${PUBLIC}/in`, secret: WEBHOOK_SECRET } };

describe("POST /api/v1/subscriptions rejects bad input with a 400 naming the field", () => {
  it.each([
    ["bad URL", { ...base, destination: { ...base.destination, url: "not a url" } }, /^destination\.url: /],
    ["unresolvable host", { ...base, destination: { ...base.destination, url: "https://hooks.invalid/in" } }, /^destination\.url: .*did not resolve/],
    ["bad scheme", { ...base, channel: "slack", destination: { url: "ftp://hooks.example.com/x" } }, /^destination\.url: /],
    ["bad address", { ...base, channel: "email", destination: { to: ["not-an-address"] } }, /^destination\.to\.0: must be an email address/],
    ["unknown severity", { ...base, filter: { minSeverity: "apocalyptic" } }, /^filter\.minSeverity: /],
    ["unknown event kind", { ...base, filter: { kinds: ["scan.completed", "image.deleted"] } }, /^filter\.kinds\.1: /],
    ["unknown channel", { ...base, channel: "pager" }, /^channel: /],
    ["bad digest cadence", { ...base, cadence: { mode: "digest", everyMinutes: 0 } }, /^cadence/],
    ["bad signing secret", { ...base, destination: { ...base.destination, secret: "hunter2" } }, /^destination\.secret: /],
    ["loopback when not allowed", { ...base, destination: { ...base.destination, url: "http://127.0.0.1:9/x" } }, /^destination\.url: .*(loopback|scheme)/],
    ["loopback over https", { ...base, destination: { ...base.destination, url: "https://127.0.0.1:9/x" } }, /^destination\.url: .*loopback/],
    ["link-local metadata", { ...base, destination: { ...base.destination, url: "https://169.254.169.254/latest" } }, /^destination\.url: .*link-local/],
  ])("%s", async (_name, body, message) => {
    const r = await h.api("POST", "/api/v1/subscriptions", body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("LKT_ERR_VALIDATION");
    expect(r.body.error.message).toMatch(message);
  });

  it("accepts a valid one and never returns its secret", async () => {
    const r = await h.api("POST", "/api/v1/subscriptions", base);
    expect(r.status).toBe(201);
    expect(JSON.stringify(r.body)).not.toContain(WEBHOOK_SECRET.slice(6, 30));
    expect(r.body.publicDestination).toEqual({ host: PUBLIC, format: "standard" });
    const all = await h.api("GET", "/api/v1/subscriptions");
    expect(JSON.stringify(all.body)).not.toContain(WEBHOOK_SECRET.slice(6, 30));
    expect((await h.api("DELETE", `/api/v1/subscriptions/${r.body.id}`)).status).toBe(204);
  });

  it("unknown ids are 404; bad delivery-log queries are 400", async () => {
    const id = "00000000-0000-4000-8000-000000000404";
    expect((await h.api("POST", `/api/v1/subscriptions/${id}/pause`, {})).status).toBe(404);
    expect((await h.api("DELETE", `/api/v1/subscriptions/${id}`)).status).toBe(404);
    const bad = await h.api("GET", "/api/v1/deliveries?status=lost");
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^status: /);
  });
});

describe("lookout subscriptions (CLI)", () => {
  const main = fileURLToPath(new URL("../../../packages/cli/src/main.ts", import.meta.url));
  const cli = async (...args: string[]) => {
    try {
      const r = await promisify(execFile)(process.execPath, ["--import", "tsx", main, "subscriptions", ...args], {
        env: { ...process.env, LOOKOUT_API_URL: h.apiUrl, LOOKOUT_API_TOKEN: h.sys.apiToken }, timeout: 60_000,
      });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, stdout: x.stdout, stderr: x.stderr };
    }
  };

  it("add, list, pause, resume and rm", async () => {
    const add = await cli("add", "--name", "cli-hook", "--channel", "webhook", "--url", `https://${PUBLIC}/cli`, "--repo", "team-a/*", "--min-severity", "high", "--only-new", "--digest", "15");
    expect(add.code).toBe(0);
    const id = add.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(add.stderr).toMatch(/signing secret \(shown once.*\): whsec_/);
    const got = (await h.api("GET", `/api/v1/subscriptions/${id}`)).body;
    expect(got).toMatchObject({ name: "cli-hook", filter: { repositories: ["team-a/*"], minSeverity: "high", onlyNew: true }, cadence: { mode: "digest", everyMinutes: 15 } });

    const list = await cli("list");
    expect(list.stdout).toContain(`${id}\tcli-hook\twebhook\t${PUBLIC}\tdigest/15m\tactive`);
    expect((await cli("pause", id)).stdout).toContain(`paused ${id}`);
    expect((await h.api("GET", `/api/v1/subscriptions/${id}`)).body.paused).toBe(true);
    expect((await cli("pause", id, "--resume")).code).toBe(0);
    expect((await h.api("GET", `/api/v1/subscriptions/${id}`)).body.paused).toBe(false);
    expect((await cli("rm", id)).code).toBe(0);
    expect((await h.api("GET", `/api/v1/subscriptions/${id}`)).status).toBe(404);
  });

  it("reports the api's validation message and exits non-zero", async () => {
    const r = await cli("add", "--name", "bad", "--channel", "email", "--to", "nobody");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/api: 400 destination\.to\.0: must be an email address/);
    expect((await cli("frobnicate")).code).toBe(2);
  });
});
