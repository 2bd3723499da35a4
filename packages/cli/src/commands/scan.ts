import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { ConfigError, loadConfig, matchScopeEnv, matchScopeOf } from "@lookout/config";
import { rowsOf } from "@lookout/db";
import { SEVERITIES, type Severity } from "@lookout/domain";
import type { Finding } from "@lookout/matching";
import { parseDockerConfigAuths, type ImageSource } from "@lookout/oci";
import { toCycloneDX, type SbomImageMeta } from "@lookout/sbom";
import {
  analyzeImage, cdxVulnerabilities, classifyInput, describeInput, openInput, toJsonReport, toSarif, toTable, type ImageInput,
} from "@lookout/scan-pipeline";
import { openLocalDatabase, userPath } from "./db-import.js";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";

const FORMATS = ["table", "json", "sarif", "cyclonedx"] as const;
const USAGE = `usage: lookout scan <image-ref | oci-layout-dir | docker-archive.tar | oci-archive.tar>
  [--format table|json|sarif|cyclonedx] [--severity critical,high,...] [--ignore-unfixed] [--exit-code N] [--insecure]\n`;

export const IMAGE_OPTIONS = { insecure: { type: "boolean" }, platform: { type: "string" } } as const;

/** Docker's config.json credentials, when there is one (the CLI is the composition root: it may read env and $HOME). */
function dockerAuths() {
  try {
    const dir = process.env.DOCKER_CONFIG || join(homedir(), ".docker");
    return parseDockerConfigAuths(readFileSync(join(dir, "config.json"), "utf8"));
  } catch {
    return undefined;
  }
}

/**
 * Open the image an argument names and run `fn` on each of its sources, in a scratch directory
 * removed afterwards. Registry references go to the one host the reference names.
 */
export async function withImage<T>(arg: string, opts: { insecure?: boolean; platform?: string }, fn: (src: ImageSource, meta: SbomImageMeta, scratchDir: string) => Promise<T>): Promise<T[]> {
  const input = await classifyInput(arg, userPath);
  const scratch = await mkdtemp(join(tmpdir(), "lookout-cli-"));
  try {
    const platform = opts.platform ? parsePlatform(opts.platform) : undefined;
    const auths = input.kind === "registry" ? dockerAuths() : undefined;
    const { images } = await openInput(input, {
      scratchDir: join(scratch, "input"),
      ...(opts.insecure ? { insecure: true } : {}),
      ...(platform ? { platform } : {}),
      ...(auths ? { dockerAuths: auths } : {}),
    });
    const out: T[] = [];
    for (const [i, src] of images.entries()) out.push(await fn(src, metaOf(input, src), join(scratch, `image-${i}`)));
    return out;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function parsePlatform(s: string) {
  const [os, architecture, variant] = s.split("/");
  if (!os || !architecture) throw new Error(`--platform ${JSON.stringify(s)}: expected os/arch[/variant]`);
  return { os, architecture, ...(variant ? { variant } : {}) };
}

function metaOf(input: ImageInput, src: ImageSource): SbomImageMeta {
  const meta: SbomImageMeta = { name: describeInput(input), digest: src.manifestDigest, ...(src.platform ? { platform: src.platform } : {}) };
  if (input.kind === "registry") {
    meta.registry = input.ref.registry;
    meta.repository = input.ref.repository;
    if (input.ref.tag) meta.tag = input.ref.tag;
  }
  return meta;
}

export function progress(): ((e: { index: number; digest: string; cached: boolean; ms: number }) => void) | undefined {
  if (process.stderr.isTTY !== true) return undefined;
  return (e) => process.stderr.write(`layer ${e.index + 1} ${e.digest.slice(7, 19)} ${e.cached ? "cached" : `${Math.round(e.ms)} ms`}\n`);
}

export async function scanCommand(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...IMAGE_OPTIONS,
      format: { type: "string", default: "table" },
      severity: { type: "string" },
      "ignore-unfixed": { type: "boolean" },
      "exit-code": { type: "string" },
    },
  });
  const format = values.format as (typeof FORMATS)[number];
  const severities = values.severity?.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
  const exitCode = values["exit-code"] === undefined ? 0 : Number(values["exit-code"]);
  if (positionals.length !== 1 || !FORMATS.includes(format) || !Number.isInteger(exitCode) || exitCode < 0 || exitCode > 255 ||
      severities?.some((s) => !(SEVERITIES as readonly string[]).includes(s))) {
    process.stderr.write(USAGE);
    return 2;
  }
  let scope;
  try {
    scope = matchScopeOf(loadConfig(matchScopeEnv, process.env));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    for (const p of e.problems) process.stderr.write(`lookout: config: ${p}\n`);
    return 2;
  }
  const database = await openLocalDatabase();
  let found = 0;
  try {
    const [{ n }] = rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from advisories`)) as [{ n: number }];
    if (n === 0) process.stderr.write("lookout: the advisory database is empty; load one with `lookout db import`\n");
    const onLayer = progress();
    await withImage(positionals[0]!, values, async (src, meta, scratchDir) => {
      const a = await analyzeImage(src, { db: database.db, scratchDir, sbomMeta: meta, match: scope, ...(onLayer ? { onLayer } : {}) });
      const kept = a.findings.filter((f: Finding) =>
        (!severities || severities.includes(f.severity.level as Severity)) && (!values["ignore-unfixed"] || f.fixedVersions.length > 0));
      found += kept.length;
      let text: string;
      if (format === "table") text = toTable(kept);
      else if (format === "sarif") text = JSON.stringify(toSarif(kept, meta), null, 2) + "\n";
      else if (format === "json") text = JSON.stringify(toJsonReport(kept, a.inventory, meta), null, 2) + "\n";
      else text = JSON.stringify(toCycloneDX(a.inventory, meta, { vulnerabilities: cdxVulnerabilities(a.inventory.packages, kept) }), null, 2) + "\n";
      process.stdout.write(text);
    });
  } finally {
    await database.close();
  }
  return found > 0 ? exitCode : 0;
}
