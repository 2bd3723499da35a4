import { Readable, Transform } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
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
    if (!sent.res.body) return Buffer.alloc(0);
    for await (const c of sent.res.body as unknown as AsyncIterable<Uint8Array>) {
      sent.touch();
      len += c.length;
      if (len > max) {
        sent.controller.abort();
        throw new LookoutError("LKT_ERR_MANIFEST_TOO_LARGE", `${what} exceeds the ${max}-byte cap`);
      }
      chunks.push(Buffer.from(c.buffer, c.byteOffset, c.length));
    }
  } catch (e) {
    if (e instanceof LookoutError) throw e;
    throw bodyError(sent, e, what);
  } finally {
    sent.done();
  }
  return Buffer.concat(chunks);
}

function bodyError(sent: SentResponse, e: unknown, what: string): LookoutError {
  const reason = sent.controller.signal.reason;
  if (reason instanceof LookoutError) return reason;
  return new LookoutError("LKT_ERR_REGISTRY_UNREACHABLE", `${what}: connection broke while reading (${(e as Error).message})`, { cause: e, retryable: true });
}

/** A body as a Node stream whose idle timer is re-armed per chunk; errors become typed. */
export function bodyStream(sent: SentResponse, what: string): Readable {
  if (!sent.res.body) return Readable.from([]);
  const src = Readable.fromWeb(sent.res.body as unknown as WebReadableStream<Uint8Array>, { highWaterMark: 1 << 20 });
  const out = new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _e, cb) {
      sent.touch();
      cb(null, chunk);
    },
    flush(cb) {
      sent.done();
      cb();
    },
  });
  src.on("error", (e) => out.destroy(bodyError(sent, e, what)));
  out.on("close", () => {
    sent.done();
    if (!src.destroyed) src.destroy();
  });
  return src.pipe(out);
}
