import { isLookoutError } from "@lookout/domain";

/** The LookoutError code a promise rejects with ("no error" / "untyped: …" otherwise): one line to assert on. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "no error";
  } catch (e) {
    return isLookoutError(e) ? e.code : `untyped: ${(e as Error).message}`;
  }
}
