import { readFileSync } from "node:fs";
import type { RegistrySource } from "@lookout/config";
import { parseDockerConfigAuths, RegistryClient, type Credentials } from "@lookout/oci";

/** The registry client from the operator's sources: their hosts, and only those, are reachable. */
export function registryClientFor(sources: RegistrySource[], opts: { headersTimeoutMs: number; maxManifestBytes: number }): RegistryClient {
  const dockerAuths = new Map<string, Credentials>();
  for (const s of sources) {
    if (!s.dockerConfig) continue;
    for (const [h, c] of parseDockerConfigAuths(readFileSync(s.dockerConfig, "utf8"))) dockerAuths.set(h, c);
  }
  return new RegistryClient({
    registries: sources.map((s) => ({
      host: s.host, insecure: s.insecure,
      ...(s.username !== undefined ? { username: s.username } : {}),
      ...(s.password !== undefined ? { password: s.password } : {}),
    })),
    dockerAuths,
    headersTimeoutMs: opts.headersTimeoutMs,
    maxManifestBytes: opts.maxManifestBytes,
  });
}
