import { getSubscription, setSubscriptionPaused, subscriptionIdOfUnsubscribeToken, type Db, type SecretBox } from "@lookout/db";
import { LookoutError } from "@lookout/domain";
import type { FastifyInstance } from "@lookout/service-kit";

/** Why a subscription stopped: shown by the api and the CLI. */
export const UNSUBSCRIBED_REASON = "unsubscribed by a recipient (List-Unsubscribe)";

const notFound = () => new LookoutError("LKT_ERR_NOT_FOUND", "unknown unsubscribe link", { status: 404 });

/**
 * One-click unsubscribe (RFC 8058) for email subscriptions, outside /api (no token: the opaque
 * token in the path is the credential). POST pauses the subscription; GET only shows a page
 * with a button, because mail scanners and link previews fetch URLs with GET.
 */
export function unsubscribeRoutes(app: FastifyInstance, deps: { db: Db; box: SecretBox }) {
  void app.register(async (scope) => {
    // Mail providers POST `List-Unsubscribe=One-Click` as a form; the body carries nothing we need.
    scope.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: 4096 }, (_req, body, done) => done(null, body));
    scope.get<{ Params: { token: string } }>("/unsubscribe/:token", async (req, reply) => {
      const id = subscriptionIdOfUnsubscribeToken(deps.box, req.params.token);
      if (!id) throw notFound();
      const sub = await getSubscription(deps.db, id);
      const name = (sub?.name ?? "this subscription").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
      return reply.type("text/html; charset=utf-8").send(
        `<!doctype html><meta charset="utf-8"><title>Unsubscribe</title>` +
          `<form method="post"><p>Stop Lookout notifications for <b>${name}</b>?</p><button type="submit">Unsubscribe</button></form>`,
      );
    });
    scope.post<{ Params: { token: string } }>("/unsubscribe/:token", async (req) => {
      const id = subscriptionIdOfUnsubscribeToken(deps.box, req.params.token);
      if (!id) throw notFound();
      const sub = await getSubscription(deps.db, id);
      if (sub && !sub.paused) {
        await setSubscriptionPaused(deps.db, id, true, UNSUBSCRIBED_REASON);
        req.log.info({ subscriptionId: id }, "subscription unsubscribed");
      }
      return { unsubscribed: true };
    });
  });
}
