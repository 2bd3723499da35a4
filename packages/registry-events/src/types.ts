import type { ImageDeleted, PushEvent } from "@lookout/domain";

/** What the webhook service knows about one configured registry source (from config). */
export interface SourceConfig {
  id: string;
  flavour: string;
  /** host[:port] pulls go to; never taken from a payload. */
  host: string;
  /** Other host names the registry may put in payload URLs (reverse proxies). */
  aliases?: string[];
  /** Repository glob patterns this source may report; empty = all. */
  repositories?: string[];
}

/** A delete as the bus carries it (`imageDeleted`): digest, tag, or neither for a whole repository. */
export type DeleteEvent = ImageDeleted;

export interface ParsedDelivery {
  pushes: PushEvent[];
  deletes: DeleteEvent[];
  /** Authenticated events we deliberately ignore (pull, mount, blob push): still answered 2xx. */
  ignored: { eventId?: string; reason: string }[];
  /** Events we refuse (bad names, foreign host): logged, answered 2xx so the registry moves on. */
  rejected: { eventId?: string; reason: string }[];
}

/**
 * A registry webhook flavour: one file in flavours/, one line in flavours/index.ts.
 * `parse` gets the JSON body (already size-checked and authenticated) and must not throw for a
 * single bad event, only for a body whose envelope is unusable (then the request gets a 400).
 */
export interface Flavour {
  id: string;
  /** Content types this sender uses; the route accepts any +json variant too. */
  contentTypes: string[];
  parse(body: unknown, source: SourceConfig): ParsedDelivery;
}
