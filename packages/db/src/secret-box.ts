import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { LookoutError } from "@lookout/domain";

/**
 * AES-256-GCM sealing of subscription secrets (Slack URLs, signing secrets, SMTP passwords).
 * Layout: version(1) | iv(12) | tag(16) | ciphertext. The key comes from config
 * (LOOKOUT_SECRET_KEY, 32 bytes base64/hex, or any passphrase, which is hashed).
 */
export class SecretBox {
  private readonly key: Buffer;
  constructor(key: string) {
    if (!key || key.length < 16) throw new LookoutError("LKT_ERR_CONFIG_INVALID", "secret key must be at least 16 characters");
    this.key = /^[A-Za-z0-9+/]{43}=$/.test(key) ? Buffer.from(key, "base64") : createHash("sha256").update(key).digest();
  }

  seal(value: unknown): Buffer {
    const iv = randomBytes(12);
    const c = createCipheriv("aes-256-gcm", this.key, iv);
    const ct = Buffer.concat([c.update(JSON.stringify(value), "utf8"), c.final()]);
    return Buffer.concat([Buffer.from([1]), iv, c.getAuthTag(), ct]);
  }

  open<T = unknown>(sealed: Buffer): T {
    if (sealed.length < 29 || sealed[0] !== 1) throw new LookoutError("LKT_ERR_INTERNAL", "sealed secret has an unknown format");
    const d = createDecipheriv("aes-256-gcm", this.key, sealed.subarray(1, 13));
    d.setAuthTag(sealed.subarray(13, 29));
    try {
      return JSON.parse(Buffer.concat([d.update(sealed.subarray(29)), d.final()]).toString("utf8")) as T;
    } catch (e) {
      throw new LookoutError("LKT_ERR_INTERNAL", "sealed secret cannot be opened with the configured key", { cause: e });
    }
  }
}
