import { createHash } from "node:crypto";
import type { Notification, NotificationImage } from "../notification.js";

/** Message-ID built from the stable notification id: a resend is recognisable as the same message. */
export function messageId(n: Notification, domain: string): string {
  return `<${n.id}@${domain}>`;
}

/**
 * The thread root for an image (registry/repository@digest): every notification about the same
 * image refers to it in In-Reply-To/References, so mail clients group them.
 */
export function imageThreadId(img: NotificationImage, domain: string): string {
  const h = createHash("sha256").update(`${img.registry}/${img.repository}@${img.digest}`).digest("hex");
  return `<image-${h.slice(0, 32)}@${domain}>`;
}

/** Domain of a From value (`Name <a@b.example>` or `a@b.example`), or undefined. */
export function domainOf(from: string): string | undefined {
  const m = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from);
  return m?.[1];
}
