import { StringDecoder } from "node:string_decoder";

/** A line read by `readLines`; `overlong` lines are truncated to the cap and must be rejected. */
export interface Line {
  text: string;
  overlong: boolean;
}

/**
 * Splits a byte or string stream into lines ("\n", with a trailing "\r" removed) while holding at
 * most `maxLine` characters of any one line, so a hostile stream without newlines cannot grow
 * memory. A final line without "\n" is still yielded.
 */
export async function* readLines(input: NodeJS.ReadableStream, maxLine: number): AsyncGenerator<Line> {
  const decoder = new StringDecoder("utf8");
  let buf = "";
  let overlong = false;
  const take = (piece: string): void => {
    if (overlong) return;
    if (buf.length + piece.length > maxLine) {
      buf += piece.slice(0, maxLine - buf.length);
      overlong = true;
    } else {
      buf += piece;
    }
  };
  const emit = (): Line => {
    const text = !overlong && buf.endsWith("\r") ? buf.slice(0, -1) : buf;
    const line = { text, overlong };
    buf = "";
    overlong = false;
    return line;
  };
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const s = typeof chunk === "string" ? chunk : decoder.write(chunk);
    let start = 0;
    for (let nl = s.indexOf("\n"); nl >= 0; nl = s.indexOf("\n", start)) {
      take(s.slice(start, nl));
      yield emit();
      start = nl + 1;
    }
    take(s.slice(start));
  }
  take(decoder.end());
  if (buf.length > 0 || overlong) yield emit();
}
