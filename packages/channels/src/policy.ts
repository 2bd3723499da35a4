import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { LookoutError } from "@lookout/domain";
import { classifyAddress, type AddressClass } from "./address.js";

/** Resolves a host name to its addresses, like `dns.promises.lookup(host, {all: true})`. */
export type ResolveFn = (hostname: string) => Promise<{ address: string; family: number }[]>;

/**
 * Which destinations a subscription may make the server call. Destination URLs are user input
 * (SSRF): by default only public addresses over HTTPS are allowed. Link-local (169.254/16 with
 * cloud metadata, fe80::/10), unspecified, multicast and reserved ranges are refused always.
 */
export interface DestinationPolicy {
  /** RFC 1918, CGNAT 100.64/10, IPv6 ULA fc00::/7 and site-local. */
  allowPrivate?: boolean;
  /** 127/8 and ::1 (tests and single-host installs). */
  allowLoopback?: boolean;
  /** Plain http:// URLs. */
  allowHttp?: boolean;
  resolve?: ResolveFn;
}

/** Where to connect: the checked URL and the address it was pinned to. */
export interface CheckedDestination {
  url: URL;
  hostname: string;
  address: string;
  family: 4 | 6;
}

const defaultResolve: ResolveFn = (host) => lookup(host, { all: true, verbatim: true });

function refuse(message: string): never {
  throw new LookoutError("LKT_ERR_DESTINATION_POLICY", message, { retryable: false });
}

function allowed(cls: AddressClass, p: DestinationPolicy): boolean {
  if (cls === "public") return true;
  if (cls === "loopback") return p.allowLoopback === true;
  if (cls === "private") return p.allowPrivate === true;
  return false;
}

/**
 * Resolves `host` and returns the first address the policy allows. Refuses when ANY resolved
 * address is forbidden, so a name that mixes public and internal records cannot be used to
 * reach the internal one. Throws LKT_ERR_DESTINATION_POLICY (permanent) for a refusal and a
 * retryable LKT_ERR_DELIVERY_TRANSIENT when the name does not resolve.
 */
export async function checkHost(host: string, policy: DestinationPolicy = {}): Promise<{ address: string; family: 4 | 6 }> {
  const bare = host.replace(/^\[|\]$/g, "");
  if (!bare) refuse("destination has no host");
  let addrs: { address: string; family: number }[];
  if (isIP(bare)) {
    addrs = [{ address: bare, family: isIP(bare) }];
  } else {
    try {
      addrs = await (policy.resolve ?? defaultResolve)(bare);
    } catch (e) {
      throw new LookoutError("LKT_ERR_DELIVERY_TRANSIENT", `destination host ${bare} did not resolve`, { cause: e, retryable: true });
    }
    if (addrs.length === 0) {
      throw new LookoutError("LKT_ERR_DELIVERY_TRANSIENT", `destination host ${bare} has no address`, { retryable: true });
    }
  }
  for (const a of addrs) {
    const cls = classifyAddress(a.address) ?? "reserved";
    if (!allowed(cls, policy)) refuse(`destination host ${bare} resolves to a ${cls} address (${a.address})`);
  }
  const first = addrs[0]!;
  return { address: first.address.split("%", 1)[0]!, family: first.family === 6 ? 6 : 4 };
}

/**
 * Checks a destination URL: http(s) only (https unless `allowHttp`), no credentials in the URL,
 * and a host whose every address the policy allows. Returns the address to connect to: the
 * caller must connect to it (not resolve again) so a DNS rebind cannot swap the target.
 */
export async function checkDestination(url: string | URL, policy: DestinationPolicy = {}): Promise<CheckedDestination> {
  let u: URL;
  try {
    u = new URL(url); // also copies a URL object, and throws on a missing value
  } catch {
    refuse("destination is not a valid URL");
  }
  if (u.protocol !== "https:" && !(u.protocol === "http:" && policy.allowHttp)) {
    refuse(`destination scheme ${u.protocol} not allowed (https only${policy.allowHttp ? " or http" : ""})`);
  }
  if (u.username || u.password) refuse("destination URL must not carry credentials");
  const hostname = u.hostname.replace(/^\[|\]$/g, "");
  const pinned = await checkHost(hostname, policy);
  return { url: u, hostname, ...pinned };
}
