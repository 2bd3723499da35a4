import type { z } from "zod";
import type { ChannelLogger, Deliverer } from "./deliverer.js";
import type { HttpTransport } from "./http.js";
import type { DestinationPolicy } from "./policy.js";

/** What the notifier injects into every channel. */
export interface ChannelDeps {
  policy?: DestinationPolicy;
  transport?: HttpTransport;
  log?: ChannelLogger;
  now?: () => number;
}

/**
 * One channel's registration: the schema the api validates a subscription's destination with,
 * the operator config section, and the factory. Adding a channel = a folder exporting one of
 * these + one line in registry.ts.
 */
export interface ChannelDefinition<D extends z.ZodType, Cfg extends z.ZodType> {
  readonly name: string;
  readonly destinationSchema: D;
  readonly configSchema: Cfg;
  create(config: z.input<Cfg>, deps?: ChannelDeps): Deliverer<z.output<D>>;
}

export function defineChannel<D extends z.ZodType, Cfg extends z.ZodType>(def: ChannelDefinition<D, Cfg>): ChannelDefinition<D, Cfg> {
  return def;
}
