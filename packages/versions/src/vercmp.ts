import { describeError } from "@lookout/domain";
import { readLines } from "./lines.js";
import { schemeFor } from "./registry.js";
import type { VersionScheme } from "./scheme.js";

/** Longest input line vercmp reads; longer lines get an error line and are not buffered further. */
const MAX_LINE = 4096;

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, " ");
}

function answer(scheme: VersionScheme, line: string, overlong: boolean): string {
  if (overlong) return `error line longer than ${MAX_LINE} characters`;
  const tab = line.indexOf("\t");
  if (tab < 0) return "error line has no TAB between the two versions";
  try {
    const r = scheme.compare(line.slice(0, tab), line.slice(tab + 1));
    return r < 0 ? "<" : r > 0 ? ">" : "=";
  } catch (e) {
    return `error ${oneLine(describeError(e))}`;
  }
}

/** Waits for "drain"; false when the stream closed or failed instead (e.g. a reader went away). */
function drained(output: NodeJS.WritableStream): Promise<boolean> {
  return new Promise((resolve) => {
    const finish = (ok: boolean) => (): void => {
      output.removeListener("drain", onDrain);
      output.removeListener("close", onClose);
      output.removeListener("error", onClose);
      resolve(ok);
    };
    const onDrain = finish(true);
    const onClose = finish(false);
    output.once("drain", onDrain);
    output.once("close", onClose);
    output.once("error", onClose);
  });
}

/**
 * The `lookout vercmp <ecosystem>` contract: reads `A<TAB>B` lines from `input` as they arrive
 * and writes one line per input line to `output`: `<`, `=`, `>` (A compared with B), or
 * `error <one-line message>`. Returns 0; for an unknown ecosystem writes
 * `unsupported ecosystem <name>` to `err` and returns 2 without reading input. If `output`
 * closes while output is pending, reading stops and 0 is returned.
 * A trailing "\r" (CRLF input) is dropped; whitespace around versions is left to each scheme.
 */
export async function vercmp(
  ecosystem: string,
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  let scheme: VersionScheme;
  try {
    scheme = schemeFor(ecosystem);
  } catch {
    err.write(`unsupported ecosystem ${ecosystem}\n`);
    return 2;
  }
  for await (const line of readLines(input, MAX_LINE)) {
    const ok = output.write(`${answer(scheme, line.text, line.overlong)}\n`);
    if (!ok && !(await drained(output))) break;
  }
  return 0;
}
