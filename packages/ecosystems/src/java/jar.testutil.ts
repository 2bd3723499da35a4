import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import yazl from "yazl";

export type Members = Record<string, Buffer | string>;

/** Builds a zip in memory; `store` keeps members uncompressed (as Spring Boot does for BOOT-INF/lib). */
export async function buildZip(members: Members, opts: { store?: boolean } = {}): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(members)) {
    zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content), name, { compress: !opts.store });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The members of a directory tree (the fixtures keep jar text members as plain files). */
export function membersOf(dir: string): Members {
  const out: Members = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p);
    }
  };
  walk(dir);
  return out;
}
