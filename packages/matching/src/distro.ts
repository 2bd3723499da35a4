import type { Distro } from "@lookout/domain";

/**
 * Which OSV (ecosystem, release) pairs apply to an image's distro. Debian "12" → Debian:12;
 * Ubuntu "22.04" → Ubuntu:22.04 and Ubuntu:22.04:LTS (Ubuntu:Pro:* only with `includeUbuntuPro`:
 * those fixes need an ESM subscription); Alpine "3.19.1" → Alpine:v3.19; AlmaLinux/Rocky "9.3" → :9;
 * RHEL "9.4" → Red Hat:enterprise_linux:9::<repo> (the EUS/AUS/E4S/TUS streams are skipped);
 * Wolfi/Chainguard are rolling: records without a release.
 */
export interface DistroScope {
  ecosystem: string;
  releaseMatches(release: string | undefined): boolean;
}

export interface ScopeOptions {
  includeUbuntuPro?: boolean;
}

const majorMinor = (v: string | undefined): [string, string] | undefined => {
  const m = /^(\d+)\.(\d+)/.exec(v ?? "");
  return m ? [m[1] as string, m[2] as string] : undefined;
};
const major = (v: string | undefined): string | undefined => /^(\d+)/.exec(v ?? "")?.[1];

export function distroScope(distro: Distro | undefined, opts: ScopeOptions = {}): DistroScope | undefined {
  if (!distro) return undefined;
  const id = distro.id.toLowerCase();
  const exact = (ecosystem: string, release: string | undefined): DistroScope | undefined =>
    release === undefined ? undefined : { ecosystem, releaseMatches: (r) => r === release };
  switch (id) {
    case "debian":
      return exact("Debian", major(distro.versionId));
    case "ubuntu": {
      const v = distro.versionId;
      if (!v || !/^\d+\.\d+$/.test(v)) return undefined;
      const ok = new Set([v, `${v}:LTS`]);
      if (opts.includeUbuntuPro) for (const p of [`Pro:${v}:LTS`, `Pro:FIPS:${v}:LTS`, `Pro:FIPS-updates:${v}:LTS`]) ok.add(p);
      return { ecosystem: "Ubuntu", releaseMatches: (r) => r !== undefined && ok.has(r) };
    }
    case "alpine": {
      const mm = majorMinor(distro.versionId);
      return mm ? exact("Alpine", `v${mm[0]}.${mm[1]}`) : undefined;
    }
    case "almalinux":
      return exact("AlmaLinux", major(distro.versionId));
    case "rocky":
      return exact("Rocky Linux", major(distro.versionId));
    case "rhel": {
      const m = major(distro.versionId);
      if (!m) return undefined;
      return { ecosystem: "Red Hat", releaseMatches: (r) => r !== undefined && r.startsWith(`enterprise_linux:${m}:`) };
    }
    case "wolfi":
      return { ecosystem: "Wolfi", releaseMatches: (r) => r === undefined };
    case "chainguard":
      return { ecosystem: "Chainguard", releaseMatches: (r) => r === undefined };
    default:
      return undefined;
  }
}
