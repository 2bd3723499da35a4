import { LookoutError, type ImageConfigSummary, type Platform } from "@lookout/domain";

export interface ParsedImageConfig {
  summary: ImageConfigSummary;
  platform: Platform | undefined;
  /** Uncompressed layer digests (rootfs.diff_ids), in order. */
  diffIds: string[];
}

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined;
}

/** Config blob → summary. Environment values are dropped on purpose (they often hold secrets). */
export function parseImageConfig(bytes: Buffer): ParsedImageConfig {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString("utf8")) as Record<string, unknown>;
  } catch {
    throw new LookoutError("LKT_ERR_MANIFEST_INVALID", "image config is not valid JSON");
  }
  if (typeof doc !== "object" || doc === null) throw new LookoutError("LKT_ERR_MANIFEST_INVALID", "image config is not an object");
  const c = (typeof doc.config === "object" && doc.config !== null ? doc.config : {}) as Record<string, unknown>;
  const labels: Record<string, string> = {};
  if (typeof c.Labels === "object" && c.Labels !== null) {
    for (const [k, v] of Object.entries(c.Labels)) if (typeof v === "string") labels[k] = v;
  }
  const summary: ImageConfigSummary = {
    envKeys: (strings(c.Env) ?? []).map((e) => e.split("=")[0]!).filter(Boolean),
    labels,
  };
  if (typeof doc.created === "string") summary.created = doc.created;
  if (typeof c.User === "string" && c.User) summary.user = c.User;
  if (typeof c.ExposedPorts === "object" && c.ExposedPorts !== null) summary.exposedPorts = Object.keys(c.ExposedPorts);
  const ep = strings(c.Entrypoint);
  if (ep) summary.entrypoint = ep;
  const cmd = strings(c.Cmd);
  if (cmd) summary.cmd = cmd;
  if (typeof c.WorkingDir === "string" && c.WorkingDir) summary.workingDir = c.WorkingDir;
  const platform =
    typeof doc.os === "string" && typeof doc.architecture === "string"
      ? { os: doc.os, architecture: doc.architecture, ...(typeof doc.variant === "string" ? { variant: doc.variant } : {}) }
      : undefined;
  const rootfs = doc.rootfs as Record<string, unknown> | undefined;
  return { summary, platform, diffIds: strings(rootfs?.diff_ids) ?? [] };
}
