import { commonEnv, env, loadConfig, matchScopeEnv, type Env } from "@lookout/config";

export const scannerEnv = {
  ...commonEnv,
  ...matchScopeEnv,
  SCANNER_PORT: env.port(8082),
  SCANNER_HOST: env.string("127.0.0.1"),
  SCANNER_CONCURRENCY: env.int(2, 1, 64),
  /** A job whose worker stops renewing its lock for this long is taken over by another worker. */
  SCANNER_LOCK_DURATION: env.duration("30s"),
  SCANNER_STALLED_INTERVAL: env.duration("30s"),
  /** Scratch space for layer files the catalogers read; one sub-folder per scan, removed after. */
  SCANNER_SCRATCH_DIR: env.optionalString(),
  SCANNER_PLATFORM: z_platform(),
  SCANNER_MAX_MANIFEST: env.size("4MiB"),
  SCANNER_REGISTRY_TIMEOUT: env.duration("30s"),
  /** Confirm a registry delete with a manifest HEAD (404 = gone) before marking the image deleted. */
  SCANNER_VERIFY_DELETES: env.bool(true),
};

function z_platform() {
  return env.string("linux/amd64");
}

export const loadScannerConfig = (e: Env) => loadConfig(scannerEnv, e);
export type ScannerConfig = ReturnType<typeof loadScannerConfig>;
