import { spawn } from "node:child_process";

/**
 * Runs one native process, feeds it `lines` on stdin (one per line), and returns its stdout
 * lines. One process per batch keeps differential tests fast; a non-zero exit throws with stderr.
 */
export function runNative(cmd: string, args: string[], lines: string[], timeoutMs = 60_000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], timeout: timeoutMs });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d.slice(0, 4000)));
    child.on("error", reject);
    // A child that dies early (timeout, crash) closes stdin; "close" below reports it.
    child.stdin.on("error", () => undefined);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`${cmd} exited ${code}: ${err}`));
      else resolve(out.split("\n").slice(0, -1));
    });
    child.stdin.end(lines.map((l) => `${l}\n`).join(""));
  });
}

/** Maps a comparison number to "<", "=", ">" so mismatches print readably. */
export const sym = (n: number): string => (n < 0 ? "<" : n > 0 ? ">" : "=");
