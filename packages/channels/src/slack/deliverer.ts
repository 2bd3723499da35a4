import { permanent, type ChannelLogger, type DeliverOptions, type Deliverer, type DeliveryResult } from "../deliverer.js";
import { defaultHttpTransport, postOnce, type HttpTransport } from "../http.js";
import { checkNotification, type Notification } from "../notification.js";
import type { DestinationPolicy } from "../policy.js";
import { slackConfigSchema, type SlackConfig, type SlackDestination } from "./config.js";
import { classifySlackResponse } from "./errors.js";
import { buildSlackMessage } from "./message.js";

export interface SlackDeps {
  policy?: DestinationPolicy;
  transport?: HttpTransport;
  log?: ChannelLogger;
}

/** Posts a Block Kit message to a Slack incoming webhook (§8.1). */
export function createSlackDeliverer(config: Partial<SlackConfig> = {}, deps: SlackDeps = {}): Deliverer<SlackDestination> {
  const cfg = slackConfigSchema.parse(config);
  const transport = deps.transport ?? defaultHttpTransport();
  return {
    name: "slack",
    async deliver(n: Notification, dest: SlackDestination, opts: DeliverOptions = {}): Promise<DeliveryResult> {
      const invalid = checkNotification(n);
      if (invalid) return permanent(invalid);
      const body = Buffer.from(JSON.stringify(buildSlackMessage(n, { maxFindingsPerImage: cfg.maxFindingsPerImage })));
      const out = await postOnce(dest.url, { "content-type": "application/json; charset=utf-8" }, body, {
        policy: deps.policy ?? {},
        transport,
        timeoutMs: cfg.timeoutMs,
        maxResponseBytes: cfg.maxResponseBytes,
        signal: opts.signal,
      });
      const result = "fail" in out ? out.fail : classifySlackResponse(out.res);
      // The URL is a secret: log the notification id only.
      deps.log?.debug({ notificationId: n.id, channel: "slack", ok: result.ok }, "slack delivery attempt");
      return result;
    },
  };
}
