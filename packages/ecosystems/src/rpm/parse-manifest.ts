import type { Package } from "../types.js";
import { toPackage } from "./read-db.js";
import type { RpmHeader } from "./header.js";

/** Where CBL-Mariner/Azure Linux distroless images list their rpms instead of an rpmdb. */
export const RPM_MANIFEST_PATH = "/var/lib/rpmmanifest/container-manifest-2";

/**
 * container-manifest-2: one package per line, tab-separated: name, version-release, install
 * time, build time, vendor, epoch ("(none)" when unset), size, arch, checksum, source rpm.
 * Field order as in anchore/syft parse_rpm_manifest.go. A malformed line is reported through
 * `onBad` and skipped.
 */
export function parseRpmManifest(text: string, path: string, onBad: (line: number, why: string) => void): Package[] {
  const out: Package[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") return;
    const f = line.split("\t");
    const [name, vr, , , vendor, epoch, , arch, , sourceRpm] = f;
    const dash = vr?.lastIndexOf("-") ?? -1;
    if (f.length < 10 || !name || !vr || dash <= 0) {
      onBad(i + 1, `expected 10 tab-separated fields with version-release, got ${f.length}`);
      return;
    }
    const h: RpmHeader = { name, version: vr.slice(0, dash), release: vr.slice(dash + 1) };
    if (epoch && /^\d+$/.test(epoch)) h.epoch = Number(epoch);
    if (arch && arch !== "(none)") h.arch = arch;
    if (vendor && vendor !== "(none)") h.vendor = vendor;
    if (sourceRpm && sourceRpm !== "(none)") h.sourceRpm = sourceRpm;
    out.push(toPackage(h, path));
  });
  return out;
}
