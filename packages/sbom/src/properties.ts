import type { Package } from "@lookout/domain";

/** Name/value facts about a package that neither format has a field for. */
export function packageProperties(p: Package): { name: string; value: string }[] {
  const props: [string, string | number | undefined][] = [
    ["lookout:package:type", p.type],
    ["lookout:package:ecosystem", p.ecosystem || undefined],
    ["lookout:layer:digest", p.layerDigest],
    ["lookout:location:path", p.path],
    ["lookout:package:arch", p.arch],
    ["lookout:package:epoch", p.epoch],
    ["lookout:package:release", p.release],
    ["lookout:package:sourceName", p.sourceName],
    ["lookout:package:sourceVersion", p.sourceVersion],
    ...Object.entries(p.meta ?? {}).map(([k, v]): [string, string] => [`lookout:meta:${k}`, v]),
  ];
  return props.filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== "").map(([name, value]) => ({ name, value: String(value) }));
}
