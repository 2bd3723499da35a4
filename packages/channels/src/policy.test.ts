import { describe, expect, it } from "vitest";
import { isLookoutError } from "@lookout/domain";
import { classifyAddress } from "./address.js";
import { checkDestination, checkHost, type ResolveFn } from "./policy.js";

describe("classifyAddress", () => {
  it.each([
    ["8.8.8.8", "public"],
    ["1.1.1.1", "public"],
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "public"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "private"],
    ["100.127.255.255", "private"],
    ["100.128.0.1", "public"],
    ["169.254.169.254", "link-local"], // cloud metadata
    ["0.0.0.0", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "reserved"],
    ["192.0.2.10", "reserved"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["::", "unspecified"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["febf::1", "link-local"],
    ["fc00::1", "private"],
    ["fd12:3456::1", "private"],
    ["ff02::1", "multicast"],
    ["2606:4700:4700::1111", "public"],
    ["2001:db8::1", "reserved"],
    // IPv4 embedded in IPv6 is judged by the IPv4 address it reaches.
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:169.254.169.254", "link-local"],
    ["::ffff:a9fe:a9fe", "link-local"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:8.8.8.8", "public"],
    ["::127.0.0.1", "loopback"],
    ["64:ff9b::a9fe:a9fe", "link-local"],
    ["64:ff9b::808:808", "public"],
    ["2002:7f00:1::", "loopback"], // 6to4 of 127.0.0.1
    ["2002:0808:0808::1", "public"],
  ])("%s is %s", (ip, want) => {
    expect(classifyAddress(ip)).toBe(want);
  });

  it("returns undefined for non-literals", () => {
    expect(classifyAddress("example.com")).toBeUndefined();
    expect(classifyAddress("1.2.3")).toBeUndefined();
  });
});

const fake =
  (table: Record<string, string[]>): ResolveFn =>
  async (host) => {
    const addrs = table[host];
    if (!addrs) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return addrs.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isLookoutError(e, "LKT_ERR_DESTINATION_POLICY")) return e.message;
    throw e;
  }
  throw new Error("expected a policy refusal");
}

describe("checkDestination", () => {
  const resolve = fake({
    "hooks.example.test": ["203.0.114.7"],
    "internal.example.test": ["10.0.0.5"],
    "metadata.example.test": ["169.254.169.254"],
    "mixed.example.test": ["203.0.114.7", "127.0.0.1"],
    "v6.example.test": ["2606:4700::6810:84e5"],
    "mapped.example.test": ["::ffff:127.0.0.1"],
    "localhost": ["127.0.0.1", "::1"],
  });

  it("returns the pinned public address", async () => {
    const d = await checkDestination("https://hooks.example.test/services/T/B/x", { resolve });
    expect(d).toMatchObject({ hostname: "hooks.example.test", address: "203.0.114.7", family: 4 });
    expect((await checkDestination("https://v6.example.test/", { resolve })).family).toBe(6);
  });

  it("refuses private, loopback and link-local targets by default", async () => {
    expect(await refusal(checkDestination("https://internal.example.test/", { resolve }))).toMatch(/private/);
    expect(await refusal(checkDestination("https://metadata.example.test/", { resolve }))).toMatch(/link-local/);
    expect(await refusal(checkDestination("https://localhost/", { resolve }))).toMatch(/loopback/);
    expect(await refusal(checkDestination("https://mapped.example.test/", { resolve }))).toMatch(/loopback/);
    expect(await refusal(checkDestination("https://127.1/", { resolve }))).toMatch(/loopback/); // WHATWG-normalised
    expect(await refusal(checkDestination("https://2130706433/", { resolve }))).toMatch(/loopback/);
    expect(await refusal(checkDestination("https://[::ffff:169.254.169.254]/", { resolve }))).toMatch(/link-local/);
    expect(await refusal(checkDestination("https://[fd00::1]/", { resolve }))).toMatch(/private/);
  });

  it("refuses a name when any of its addresses is forbidden (no mixed-record bypass)", async () => {
    expect(await refusal(checkDestination("https://mixed.example.test/", { resolve }))).toMatch(/loopback/);
  });

  it("allows loopback and private only when the policy says so; link-local never", async () => {
    const local = await checkDestination("http://localhost:8080/x", { resolve, allowLoopback: true, allowHttp: true });
    expect(local.address).toBe("127.0.0.1");
    expect((await checkDestination("https://internal.example.test/", { resolve, allowPrivate: true })).address).toBe("10.0.0.5");
    expect(await refusal(checkDestination("https://internal.example.test/", { resolve, allowLoopback: true }))).toMatch(/private/);
    const all = { resolve, allowPrivate: true, allowLoopback: true, allowHttp: true };
    expect(await refusal(checkDestination("https://metadata.example.test/", all))).toMatch(/link-local/);
    expect(await refusal(checkDestination("https://0.0.0.0/", all))).toMatch(/unspecified/);
  });

  it("refuses http unless allowed, other schemes always, and credentials in the URL", async () => {
    expect(await refusal(checkDestination("http://hooks.example.test/", { resolve }))).toMatch(/scheme http:/);
    expect((await checkDestination("http://hooks.example.test/", { resolve, allowHttp: true })).address).toBe("203.0.114.7");
    expect(await refusal(checkDestination("file:///etc/passwd", { resolve, allowHttp: true }))).toMatch(/scheme/);
    expect(await refusal(checkDestination("gopher://hooks.example.test/", { resolve, allowHttp: true }))).toMatch(/scheme/);
    expect(await refusal(checkDestination("https://user:pw@hooks.example.test/", { resolve }))).toMatch(/credentials/);
    expect(await refusal(checkDestination("not a url", { resolve }))).toMatch(/not a valid URL/);
    expect(await refusal(checkDestination(undefined as unknown as string, { resolve }))).toMatch(/not a valid URL/);
  });

  it("reports an unresolvable name as retryable, not as a policy refusal", async () => {
    const err = await checkHost("nxdomain.example.test", { resolve }).catch((e: unknown) => e);
    expect(isLookoutError(err, "LKT_ERR_DELIVERY_TRANSIENT") && err.retryable).toBe(true);
  });
});
