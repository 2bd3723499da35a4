import type { ChannelLogger, DeliverOptions, Deliverer, DeliveryResult } from "../deliverer.js";
import { permanent } from "../deliverer.js";
import { classifyStatus, defaultHttpTransport, postOnce, type HttpTransport } from "../http.js";
import { checkNotification, type Notification } from "../notification.js";
import type { DestinationPolicy } from "../policy.js";
import { webhookConfigSchema, type WebhookConfig, type WebhookDestination } from "./config.js";
import { buildWebhookBody } from "./payload.js";
import { signStandardWebhook } from "./signature.js";

export interface WebhookDeps {
  policy?: DestinationPolicy;
  transport?: HttpTransport;
  log?: ChannelLogger;
  /** Clock for webhook-timestamp (ms since epoch). */
  now?: () => number;
}

/**
 * POSTs a signed JSON body (Standard Webhooks headers; optionally a CloudEvents structured
 * envelope). `webhook-id` is the notification id, the same on every retry; the timestamp and
 * signature are per attempt. Redirects are failures.
 */
export function createWebhookDeliverer(config: Partial<WebhookConfig> = {}, deps: WebhookDeps = {}): Deliverer<WebhookDestination> {
  const cfg = webhookConfigSchema.parse(config);
  const transport = deps.transport ?? defaultHttpTransport();
  const now = deps.now ?? Date.now;
  return {
    name: "webhook",
    async deliver(n: Notification, dest: WebhookDestination, opts: DeliverOptions = {}): Promise<DeliveryResult> {
      const invalid = checkNotification(n);
      if (invalid) return permanent(invalid);
      const { contentType, body } = buildWebhookBody(n, dest.format ?? "standard", cfg);
      const timestamp = Math.floor(now() / 1000);
      let signature: string;
      try {
        signature = signStandardWebhook(dest.secret, n.id, timestamp, body);
      } catch {
        return permanent("webhook secret malformed");
      }
      const headers = {
        "content-type": contentType,
        "user-agent": "Lookout-Webhooks/1",
        "webhook-id": n.id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": signature,
      };
      const out = await postOnce(dest.url, headers, body, {
        policy: deps.policy ?? {},
        transport,
        timeoutMs: cfg.timeoutMs,
        maxResponseBytes: cfg.maxResponseBytes,
        signal: opts.signal,
      });
      const result = "fail" in out ? out.fail : classifyStatus(out.res, now());
      deps.log?.debug({ notificationId: n.id, channel: "webhook", ok: result.ok }, "webhook delivery attempt");
      return result;
    },
  };
}
