import { randomUUID } from "node:crypto";
import { z } from "zod";

/**
 * Every message on the bus and every job on a queue travels in this envelope. The correlation id
 * is minted where the work enters the system (the webhook request) and copied onto everything
 * that work causes, so one grep of the logs follows a push to the Slack message.
 */
export const envelopeSchema = <T extends z.ZodType>(data: T) =>
  z.object({
    id: z.string().min(1).max(200),
    type: z.string().min(1),
    time: z.string().datetime({ offset: true }),
    source: z.string().min(1),
    correlationId: z.string().min(1).max(200),
    data,
  });

export interface Envelope<T> {
  id: string;
  type: string;
  time: string;
  source: string;
  correlationId: string;
  data: T;
}

export function makeEnvelope<T>(
  type: string,
  source: string,
  data: T,
  opts: { id?: string; correlationId?: string; time?: Date } = {},
): Envelope<T> {
  const id = opts.id ?? randomUUID();
  return {
    id,
    type,
    time: (opts.time ?? new Date()).toISOString(),
    source,
    correlationId: opts.correlationId ?? id,
    data,
  };
}
