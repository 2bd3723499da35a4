import type { Readable } from "node:stream";
import { LookoutError } from "@lookout/domain";
import type { SentResponse } from "./transport.js";

/** Read a whole (small) body, refusing more than `max` bytes: manifests, tokens, errors. */
export async function readCappedBody(sent: SentResponse, max: number, what: string): Promise<Buffer> {
  const declared = Number(sent.res.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > max) {
    sent.controller.abort();
    sent.done();
    throw new LookoutError("LKT_ERR_MANIFEST_TOO_LARGE", `${what} is ${declared} bytes, cap ${max}`);
  }
  const chunks: Buffer[] = [];
  let len = 0;
  try {
    for await (const c of sent.res.body as AsyncIterable<Buffer>) {
      sent.touch();
      len += c.length;
      if (len > max) {
        sent.controller.abort();
        throw new LookoutError("LKT_ERR_MANIFEST_TOO_LARGE", `${what} exceeds the ${max}-byte cap`);
      }
      chunks.push(c);
    }
  } catch (e) {
    if (e instanceof LookoutError) throw e;
    throw bodyError(sent, e, what);
  } finally {
    sent.done();
  }
  return Buffer.concat(chunks);
}

/** A body failure as a typed error: the timer's reason when it fired, else a broken connection. */
export function bodyError(sent: SentResponse, e: unknown, what: string): LookoutError {
  const reason = sent.controller.signal.reason;
  if (reason instanceof LookoutError) return reason;
  return new LookoutError("LKT_ERR_REGISTRY_UNREACHABLE", `${what}: connection broke while reading (${(e as Error).message})`, { cause: e, retryable: true });
}

/**
 * Pipe a response body into `dest` with the idle timer re-armed per chunk and body failures
 * typed on `dest`. A listener, not a pass-through stage: the bytes go straight from the
 * socket to `dest`. Piped in this tick, so nothing flows before `dest` is attached.
 */
export function pipeBody<T extends NodeJS.WritableStream & Readable>(sent: SentResponse, dest: T, what: string): T {
  const body = sent.res.body;
  body.on("data", sent.touch);
  body.on("error", (e) => dest.destroy(bodyError(sent, e, what)));
  body.on("end", sent.done);
  // A connection that closes early may only say "close" on some paths; never leave dest waiting.
  body.on("close", () => {
    if (!body.readableEnded && !dest.destroyed) dest.destroy(bodyError(sent, new Error("closed before the end of the body"), what));
  });
  dest.on("close", () => {
    sent.done();
    if (!body.destroyed && !body.readableEnded) body.destroy();
  });
  return body.pipe(dest);
}
