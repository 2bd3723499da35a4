import type { Distro } from "@lookout/domain";

/**
 * Which OSV (ecosystem, release) pairs apply to an image's distro. Debian "12" → Debian:12;
 * Ubuntu "22.04" → Ubuntu:22.04 and Ubuntu:22.04:LTS (Ubuntu:Pro:* only with `includeUbuntuPro`:
 * those fixes need an ESM subscription); Alpine "3.19.1" → Alpine:v3.19; AlmaLinux/Rocky "9.3" → :9;
 * RHEL "9.4" → Red Hat:enterprise_linux:9::<repo>, plus the extended-support streams of that
 * minor release the operator subscribes to (`redHatStreams`: rhel_eus:9.4::<repo>, ...; off by
 * default, since their fixes reach only subscribers); SLES/SLED "15.5" → the SUSE Linux
 * Enterprise products of 15 SP5 (Server, Desktop, Server for SAP Applications, the Modules; LTSS
 * only with `includeSuseLtss`); SLE Micro "5.5" → SUSE:Linux Enterprise Micro 5.5; openSUSE
 * Leap "15.5" → openSUSE:Leap 15.5 (and Leap Micro); Tumbleweed → openSUSE:Tumbleweed;
 * Amazon Linux "2023" → Amazon Linux:2023; Wolfi/Chainguard are rolling: records without a release.
 */
export interface DistroScope {
  ecosystem: string;
  releaseMatches(release: string | undefined): boolean;
}

export interface ScopeOptions {
  includeUbuntuPro?: boolean;
  /** Red Hat extended-support streams this RHEL image is entitled to ("eus", "aus", "e4s", "tus"). */
  redHatStreams?: readonly string[];
  /** SUSE Long Term Service Pack Support fixes (need an LTSS subscription). */
  includeSuseLtss?: boolean;
}

/** SLES VERSION_ID "15.5" → "15 SP5", "15" / "15.0" → "15" (how SUSE names its service packs). */
const suseRelease = (v: string): string | undefined => {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(v);
  if (!m) return undefined;
  return m[2] && m[2] !== "0" ? `${m[1]} SP${m[2]}` : m[1];
};

/** SUSE Linux Enterprise products whose fixes a SLES/SLED container receives. */
const SLE_PRODUCT = /^Linux Enterprise (?:Server|Desktop|Server for SAP Applications|Module for [A-Za-z0-9 .-]+?|Workstation Extension|High Performance Computing) /;

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
      const mm = majorMinor(distro.versionId);
      const streams = mm ? (opts.redHatStreams ?? []).map((s) => `rhel_${s.toLowerCase()}:${mm[0]}.${mm[1]}:`) : [];
      return {
        ecosystem: "Red Hat",
        releaseMatches: (r) => r !== undefined && (r.startsWith(`enterprise_linux:${m}:`) || streams.some((p) => r.startsWith(p))),
      };
    }
    case "sles":
    case "sled": {
      const rel = suseRelease(distro.versionId ?? "");
      if (!rel) return undefined;
      const ends = opts.includeSuseLtss ? [` ${rel}`, ` ${rel}-LTSS`, ` LTSS ${rel}`] : [` ${rel}`];
      return {
        ecosystem: "SUSE",
        releaseMatches: (r) => r !== undefined && SLE_PRODUCT.test(r) && ends.some((e) => r.endsWith(e)) && (opts.includeSuseLtss || !r.includes("LTSS")),
      };
    }
    case "sle-micro":
      return exact("SUSE", distro.versionId ? `Linux Enterprise Micro ${distro.versionId}` : undefined);
    case "opensuse-leap": {
      const v = distro.versionId;
      if (!v) return undefined;
      return { ecosystem: "openSUSE", releaseMatches: (r) => r === `Leap ${v}` || r === `Leap Micro ${v}` };
    }
    case "opensuse-tumbleweed":
      return exact("openSUSE", "Tumbleweed");
    case "amzn":
      return exact("Amazon Linux", major(distro.versionId));
    case "wolfi":
      return { ecosystem: "Wolfi", releaseMatches: (r) => r === undefined };
    case "chainguard":
      return { ecosystem: "Chainguard", releaseMatches: (r) => r === undefined };
    default:
      return undefined;
  }
}
