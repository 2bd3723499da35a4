import { createReadStream } from "node:fs";
import { JSONParser } from "@streamparser/json";

export type Entry = { key: string; value: unknown } | { error: string };

/**
 * The members of a JSON document's top-level object, one at a time, read from a file in 64 KiB
 * chunks: memory holds one member (plus one chunk's worth), never the document. Invalid JSON ends
 * the walk with one `{ error }` item (members before it were already yielded).
 */
export async function* topLevelEntries(path: string, signal?: AbortSignal): AsyncGenerator<Entry> {
  const parser = new JSONParser({ paths: ["$.*"], keepStack: false });
  let ready: Entry[] = [];
  let failed: string | undefined;
  parser.onValue = ({ key, value }) => {
    ready.push({ key: String(key), value });
  };
  parser.onError = (e) => {
    failed ??= e.message;
  };
  const stream = createReadStream(path, { highWaterMark: 64 * 1024, ...(signal ? { signal } : {}) });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (failed === undefined) parser.write(chunk);
      const out = ready;
      ready = [];
      yield* out;
      if (failed !== undefined) break;
    }
    if (failed === undefined && !parser.isEnded) parser.end();
    yield* ready;
    if (failed !== undefined) yield { error: `invalid JSON: ${failed.slice(0, 200)}` };
  } finally {
    stream.destroy();
  }
}
