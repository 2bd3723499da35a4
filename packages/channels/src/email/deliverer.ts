import { isIP } from "node:net";
import nodemailer, { type Transporter } from "nodemailer";
import { isLookoutError } from "@lookout/domain";
import { abortedResult, attemptSignal, permanent, reasonOf, transient, type ChannelLogger, type DeliverOptions, type Deliverer, type DeliveryResult } from "../deliverer.js";
import { checkNotification, type Notification } from "../notification.js";
import { checkHost, type DestinationPolicy } from "../policy.js";
import { emailConfigSchema, type EmailConfig, type EmailDestination } from "./config.js";
import { domainOf, imageThreadId, messageId } from "./ids.js";
import { renderHtml, renderSubject, renderText } from "./render.js";

export interface EmailDeps {
  /** Policy for the relay host. Default allows private and loopback: the relay is operator config. */
  policy?: DestinationPolicy;
  log?: ChannelLogger;
  /** Findings listed per image. Default 15. */
  maxFindingsPerImage?: number;
}

/** SMTP reply code → result: 5xx permanent, 4xx transient; connection-level errors transient. */
export function classifySmtpError(e: unknown): DeliveryResult {
  const err = e as { responseCode?: unknown; code?: unknown; response?: unknown };
  const code = typeof err.responseCode === "number" ? err.responseCode : undefined;
  const reply = typeof err.response === "string" ? err.response.split("\n", 1)[0]!.slice(0, 200) : reasonOf(e);
  if (code !== undefined && code >= 500) return permanent(`smtp: ${reply}`, { status: code });
  if (code !== undefined && code >= 400) return transient(`smtp: ${reply}`, { status: code });
  // Rejected before talking to the server (no recipients, bad message): retrying cannot help.
  if (err.code === "EENVELOPE" || err.code === "EMESSAGE") return permanent(`smtp: ${reasonOf(e)}`);
  return transient(`smtp: ${reasonOf(e)}`);
}

function unsubscribeHeaders(dest: EmailDestination, cfg: EmailConfig): Record<string, string> {
  const url = dest.unsubscribeUrl ?? cfg.unsubscribeUrl;
  const mailto = dest.unsubscribeMailto ?? cfg.unsubscribeMailto;
  const href = url && URL.canParse(url) ? new URL(url).href : undefined;
  const list = [href ? `<${href}>` : "", mailto ? `<mailto:${mailto}>` : ""].filter(Boolean);
  if (!list.length) return {};
  const h: Record<string, string> = { "List-Unsubscribe": list.join(", ") };
  // RFC 8058 one-click needs an https URI.
  if (href?.startsWith("https:")) h["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
  return h;
}

/**
 * Sends multipart/alternative (text first, HTML last) over a pooled SMTP connection, with a
 * Message-ID from the notification id and per-image threading headers (§8.2).
 */
export function createEmailDeliverer(config: Partial<EmailConfig> & Pick<EmailConfig, "host" | "from">, deps: EmailDeps = {}): Deliverer<EmailDestination> & { close(): Promise<void> } {
  const cfg = emailConfigSchema.parse(config);
  const domain = cfg.messageIdDomain ?? domainOf(cfg.from) ?? "lookout.local";
  const maxFindings = deps.maxFindingsPerImage ?? 15;
  let transporter: Promise<Transporter> | undefined;

  // Resolve and check the relay once, then connect to the pinned address (SNI keeps the name).
  async function connect(): Promise<Transporter> {
    const pinned = await checkHost(cfg.host, deps.policy ?? { allowPrivate: true, allowLoopback: true, allowHttp: true });
    return nodemailer.createTransport({
      pool: true,
      maxConnections: cfg.maxConnections,
      host: pinned.address,
      port: cfg.port,
      secure: cfg.secure,
      requireTLS: cfg.starttls === "required",
      ignoreTLS: cfg.starttls === "off",
      // SNI and the certificate check use the configured name, not the pinned IP (SNI must not be an IP).
      tls: { ...(isIP(cfg.host) ? {} : { servername: cfg.host }), rejectUnauthorized: cfg.tlsRejectUnauthorized },
      ...(cfg.auth ? { auth: cfg.auth } : {}),
      connectionTimeout: cfg.timeoutMs,
      greetingTimeout: cfg.timeoutMs,
      socketTimeout: cfg.timeoutMs,
    });
  }

  async function send(n: Notification, dest: EmailDestination): Promise<DeliveryResult> {
    transporter ??= connect();
    let t: Transporter;
    try {
      t = await transporter;
    } catch (e) {
      transporter = undefined;
      if (isLookoutError(e)) return e.retryable ? transient(e.message) : permanent(e.message);
      return transient(reasonOf(e));
    }
    const single = n.images.length === 1 ? n.images[0]! : undefined;
    const thread = single ? imageThreadId(single, domain) : undefined;
    try {
      const info = await t.sendMail({
        from: cfg.from,
        to: dest.to,
        subject: renderSubject(n, cfg.subjectPrefix),
        text: renderText(n, maxFindings),
        html: renderHtml(n, maxFindings),
        messageId: messageId(n, domain),
        ...(thread ? { inReplyTo: thread, references: [thread] } : {}),
        headers: {
          "Auto-Submitted": "auto-generated",
          "List-Id": `Lookout alerts <alerts.${domain}>`,
          "X-Lookout-Notification-Id": n.id,
          ...unsubscribeHeaders(dest, cfg),
        },
      });
      return { ok: true, providerId: info.messageId };
    } catch (e) {
      return classifySmtpError(e);
    }
  }

  return {
    name: "email",
    async deliver(n: Notification, dest: EmailDestination, opts: DeliverOptions = {}): Promise<DeliveryResult> {
      const invalid = checkNotification(n);
      if (invalid) return permanent(invalid);
      const attempt = attemptSignal(cfg.timeoutMs, opts.signal);
      // nodemailer takes no AbortSignal: race it; its socketTimeout ends the abandoned attempt.
      const aborted = new Promise<DeliveryResult>((resolve) => {
        const done = () => resolve(abortedResult(attempt.timedOut(), cfg.timeoutMs));
        if (attempt.signal.aborted) done();
        else attempt.signal.addEventListener("abort", done, { once: true });
      });
      const result = await Promise.race([send(n, dest), aborted]).finally(() => attempt.done());
      deps.log?.debug({ notificationId: n.id, channel: "email", ok: result.ok }, "email delivery attempt");
      return result;
    },
    async close() {
      const t = transporter;
      transporter = undefined;
      if (t) (await t.catch(() => undefined))?.close();
    },
  };
}
