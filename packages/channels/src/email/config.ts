import { z } from "zod";

/** A subscription's email destination, as stored and validated by the api. */
export const emailDestinationSchema = z.object({
  to: z.array(z.email({ error: "must be an email address" }).max(254)).min(1).max(50),
});
export type EmailSubscription = z.infer<typeof emailDestinationSchema>;

/**
 * What the deliverer receives: the stored destination plus per-subscription links the notifier
 * adds (an opaque one-click unsubscribe URL, RFC 8058). These override the config defaults.
 */
export interface EmailDestination extends EmailSubscription {
  unsubscribeUrl?: string;
  unsubscribeMailto?: string;
}

/** Operator settings: the SMTP relay and the sender. */
export const emailConfigSchema = z.object({
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535).default(587),
  /** Implicit TLS (port 465). */
  secure: z.boolean().default(false),
  /** STARTTLS on a plain connection: required, used when offered, or never. */
  starttls: z.enum(["required", "opportunistic", "off"]).default("opportunistic"),
  /** Verify the relay's certificate. Turn off only for a local relay with a self-signed cert. */
  tlsRejectUnauthorized: z.boolean().default(true),
  auth: z.object({ user: z.string().min(1), pass: z.string().min(1) }).optional(),
  /** Envelope and header sender, e.g. `Lookout <alerts@example.com>`. */
  from: z.string().min(3).max(320),
  /** Right-hand side of Message-IDs; default the From address's domain, else lookout.local. */
  messageIdDomain: z
    .string()
    .regex(/^[A-Za-z0-9.-]{1,253}$/, "must be a domain name")
    .optional(),
  /** Default List-Unsubscribe URL (https) when the destination carries none. */
  unsubscribeUrl: z.url({ protocol: /^https?$/ }).optional(),
  unsubscribeMailto: z.email().optional(),
  subjectPrefix: z.string().max(40).default("[lookout]"),
  timeoutMs: z.number().int().positive().max(300_000).default(30_000),
  maxConnections: z.number().int().positive().max(50).default(5),
});
export type EmailConfig = z.infer<typeof emailConfigSchema>;
