import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Compare a presented credential with the configured one in constant time. Both sides are
 * hashed first so their lengths are equal (timingSafeEqual throws on unequal lengths, and an
 * early length check would leak the secret's length).
 */
export function secretsEqual(presented: string | undefined, expected: string): boolean {
  const a = createHash("sha256").update(presented ?? "").digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b) && presented !== undefined;
}

/** `Authorization: Bearer <token>` → token. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}
