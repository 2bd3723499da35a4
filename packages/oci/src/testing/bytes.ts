import { createHash } from "node:crypto";
import { Readable } from "node:stream";

/** sha256 digest string of a buffer. */
export const digestOf = (b: Buffer): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** Chunks of uneven size, as a socket delivers them. */
export function chunked(b: Buffer, size = 65_536 + 17): Readable {
  const parts: Buffer[] = [];
  for (let o = 0; o < b.length; o += size) parts.push(b.subarray(o, o + size));
  return Readable.from(parts);
}
