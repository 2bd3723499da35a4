import { isIPv4, isIPv6 } from "node:net";

/**
 * Classifies IP literals for the destination policy. Written out by hand (rather than with
 * net.BlockList) so IPv4 embedded in IPv6 (mapped, compatible, NAT64, 6to4) is judged by the
 * IPv4 address it reaches.
 */
export type AddressClass = "public" | "loopback" | "private" | "link-local" | "unspecified" | "multicast" | "reserved";

function v4Words(ip: string): number {
  const p = ip.split(".").map(Number);
  return (((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!) >>> 0;
}

function inV4(n: number, base: string, bits: number): boolean {
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((n & mask) >>> 0) === ((v4Words(base) & mask) >>> 0);
}

function classifyV4Number(n: number): AddressClass {
  if (inV4(n, "0.0.0.0", 8)) return "unspecified";
  if (inV4(n, "127.0.0.0", 8)) return "loopback";
  if (inV4(n, "10.0.0.0", 8) || inV4(n, "172.16.0.0", 12) || inV4(n, "192.168.0.0", 16) || inV4(n, "100.64.0.0", 10)) {
    return "private";
  }
  if (inV4(n, "169.254.0.0", 16)) return "link-local";
  if (inV4(n, "224.0.0.0", 4)) return "multicast";
  if (
    inV4(n, "240.0.0.0", 4) || // reserved + broadcast
    inV4(n, "192.0.0.0", 24) || // IETF protocol assignments
    inV4(n, "192.0.2.0", 24) ||
    inV4(n, "198.51.100.0", 24) ||
    inV4(n, "203.0.113.0", 24) || // documentation
    inV4(n, "198.18.0.0", 15) // benchmarking
  ) {
    return "reserved";
  }
  return "public";
}

/** Eight 16-bit words, or undefined when not an IPv6 literal. Zone ids (`%eth0`) are dropped. */
export function parseIPv6(ip: string): number[] | undefined {
  const bare = ip.replace(/^\[|\]$/g, "").split("%", 1)[0]!;
  if (!isIPv6(bare)) return undefined;
  let text = bare;
  const lastColon = text.lastIndexOf(":");
  const last = text.slice(lastColon + 1);
  if (last.includes(".")) {
    // Rewrite a trailing dotted quad as two hex words so one parser handles both forms.
    const n = v4Words(last);
    text = `${text.slice(0, lastColon + 1)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = "", rest] = text.split("::", 2);
  const toWords = (s: string) => (s ? s.split(":").filter((x) => x !== "").map((h) => parseInt(h, 16)) : []);
  const hw = toWords(head);
  const rw = rest === undefined ? [] : toWords(rest);
  const fill = 8 - hw.length - rw.length;
  if (rest === undefined && fill !== 0) return undefined;
  return [...hw, ...new Array<number>(Math.max(0, fill)).fill(0), ...rw];
}

function classifyV6(w: number[]): AddressClass {
  const zeros = (from: number, to: number) => w.slice(from, to).every((x) => x === 0);
  const v4 = (hi: number, lo: number) => classifyV4Number(((hi << 16) >>> 0) + lo);
  if (zeros(0, 8)) return "unspecified";
  if (zeros(0, 7) && w[7] === 1) return "loopback";
  if (zeros(0, 5) && w[5] === 0xffff) return v4(w[6]!, w[7]!); // ::ffff:a.b.c.d mapped
  if (zeros(0, 6)) return v4(w[6]!, w[7]!); // ::a.b.c.d compatible (deprecated)
  if (w[0] === 0x64 && w[1] === 0xff9b && zeros(2, 6)) return v4(w[6]!, w[7]!); // NAT64 well-known prefix
  if (w[0] === 0x64 && w[1] === 0xff9b && w[2] === 1) return "private"; // local-use NAT64
  if (w[0] === 0x2002) return v4(w[1]!, w[2]!); // 6to4
  const w0 = w[0]!;
  if ((w0 & 0xffc0) === 0xfe80) return "link-local";
  if ((w0 & 0xffc0) === 0xfec0) return "private"; // site-local (deprecated)
  if ((w0 & 0xfe00) === 0xfc00) return "private"; // ULA
  if ((w0 & 0xff00) === 0xff00) return "multicast";
  if (w0 === 0x2001 && (w[1] === 0x0db8 || w[1] === 0)) return "reserved"; // documentation, Teredo
  if (w0 === 0x0100 && zeros(1, 4)) return "reserved"; // discard-only
  if ((w0 & 0xe000) !== 0x2000) return "reserved"; // outside global unicast 2000::/3
  return "public";
}

/** Class of an IP literal (IPv6 may be bracketed); undefined when `ip` is not an IP literal. */
export function classifyAddress(ip: string): AddressClass | undefined {
  if (isIPv4(ip)) return classifyV4Number(v4Words(ip));
  const w = parseIPv6(ip);
  return w ? classifyV6(w) : undefined;
}
