import { permanent, transient, type DeliveryResult } from "../deliverer.js";
import { classifyStatus, parseRetryAfter, type HttpResponse } from "../http.js";

/**
 * Slack answers errors with a plain-text token; map by the token, not the status (§8.1).
 * These mean the payload is wrong or the webhook is revoked/blocked: retrying cannot help.
 */
export const SLACK_PERMANENT_ERRORS = new Set([
  "invalid_payload",
  "user_not_found",
  "action_prohibited",
  "channel_not_found",
  "channel_is_archived",
  "no_text",
  "invalid_blocks",
  "too_many_attachments",
  "msg_blocks_too_long",
  "no_service",
  "no_service_id",
  "no_active_hooks",
  "invalid_token",
  "no_team",
  "team_disabled",
  "posting_to_general_channel_denied",
]);

/** Server-side hiccups Slack asks us to retry. */
export const SLACK_TRANSIENT_ERRORS = new Set(["rollup_error", "service_unavailable", "request_timeout", "ratelimited"]);

/** Result for a Slack webhook response. */
export function classifySlackResponse(res: HttpResponse, now = Date.now()): DeliveryResult {
  if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
  const token = res.body.trim().split(/\s/, 1)[0]!.slice(0, 64).replace(/[^a-z0-9_]/gi, "");
  const status = res.status;
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(res.headers["retry-after"], now) ?? 1000;
    return transient(`slack: rate limited (429)`, { status, retryAfterMs });
  }
  if (SLACK_PERMANENT_ERRORS.has(token)) return permanent(`slack: ${token} (HTTP ${status})`, { status });
  if (SLACK_TRANSIENT_ERRORS.has(token)) return transient(`slack: ${token} (HTTP ${status})`, { status });
  const generic = classifyStatus(res, now);
  return generic.ok ? generic : { ...generic, reason: `slack: ${token || "error"} (HTTP ${status})` };
}
