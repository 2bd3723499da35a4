import { randomUUID } from "node:crypto";
import type { Inventory, Package } from "@lookout/domain";
import { classifyLicense } from "./licenses.js";
import { packageProperties } from "./properties.js";
import { componentRef, uniquePackages } from "./refs.js";
import type { CycloneDxOptions, SbomImageMeta } from "./types.js";

const DEFAULT_TOOL = { name: "lookout", version: "0.1.0" };
const IMAGE_REF = "image";
const OS_REF = "os";

type Json = Record<string, unknown>;

/**
 * CycloneDX 1.6 JSON (https://cyclonedx.org/docs/1.6/json/) for an image inventory: the image
 * is metadata.component (type container), the distro an operating-system component, every
 * package a library component with its purl, licenses and where it was found (properties
 * lookout:layer:digest and lookout:location:path). `vulnerabilities` are passed through; their
 * `affects[].ref` must be `componentRef(pkg)` of a package of this inventory.
 */
export function toCycloneDX(inventory: Inventory, meta: SbomImageMeta, opts: CycloneDxOptions = {}): Json {
  const pkgs = uniquePackages(inventory.packages);
  const components: Json[] = [];
  if (inventory.distro) {
    const d = inventory.distro;
    const os: Json = { type: "operating-system", "bom-ref": OS_REF, name: d.id };
    if (d.versionId) os.version = d.versionId;
    if (d.prettyName) os.description = d.prettyName;
    if (d.codename) os.properties = [{ name: "lookout:distro:codename", value: d.codename }];
    components.push(os);
  }
  for (const p of pkgs) components.push(component(p));

  const bom: Json = {
    bomFormat: "CycloneDX",
    specVersion: "1.6",
    serialNumber: `urn:uuid:${opts.uuid ?? randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: opts.timestamp ?? new Date().toISOString(),
      tools: { components: [{ type: "application", ...(opts.tool ?? DEFAULT_TOOL) }] },
      component: imageComponent(meta),
    },
    components,
    dependencies: [{ ref: IMAGE_REF, dependsOn: components.map((c) => c["bom-ref"] as string) }],
  };
  if (inventory.unknowns.length > 0) {
    (bom.metadata as Json).properties = inventory.unknowns.slice(0, 1000).map((u) => ({
      name: "lookout:unknown",
      value: `${u.path}: ${u.reason}`,
    }));
  }
  if (opts.vulnerabilities && opts.vulnerabilities.length > 0) bom.vulnerabilities = opts.vulnerabilities;
  return bom;
}

function imageComponent(meta: SbomImageMeta): Json {
  const c: Json = { type: "container", "bom-ref": IMAGE_REF, name: meta.name };
  if (meta.digest) c.version = meta.digest;
  const purl = ociPurl(meta);
  if (purl) c.purl = purl;
  const props: Json[] = [];
  if (meta.platform) {
    const { os, architecture, variant } = meta.platform;
    props.push({ name: "lookout:image:platform", value: [os, architecture, variant].filter(Boolean).join("/") });
  }
  if (meta.tag) props.push({ name: "lookout:image:tag", value: meta.tag });
  if (props.length > 0) c.properties = props;
  return c;
}

/** pkg:oci/<last path segment>@<digest>?repository_url=<registry/repo>&tag=<tag> (purl-spec oci type). */
export function ociPurl(meta: SbomImageMeta): string | undefined {
  if (!meta.digest || !meta.repository) return undefined;
  const name = (meta.repository.split("/").pop() ?? meta.repository).toLowerCase();
  const repo = meta.registry ? `${meta.registry}/${meta.repository}` : meta.repository;
  const quals = [`repository_url=${enc(repo)}`];
  if (meta.tag) quals.push(`tag=${enc(meta.tag)}`);
  return `pkg:oci/${enc(name)}@${enc(meta.digest)}?${quals.join("&")}`;
}

/** purl percent-encoding: everything but unreserved characters and ':'. */
function enc(s: string): string {
  return encodeURIComponent(s).replace(/%3A/gi, ":");
}

function component(p: Package): Json {
  const c: Json = { type: "library", "bom-ref": componentRef(p), name: p.name, version: p.version };
  if (p.purl) c.purl = p.purl;
  const licenses = cdxLicenses(p.licenses ?? []);
  if (licenses) c.licenses = licenses;
  const props = packageProperties(p);
  if (props.length > 0) c.properties = props;
  return c;
}

/** CycloneDX allows either license objects or exactly one expression. */
function cdxLicenses(raw: string[]): Json[] | undefined {
  const kinds = raw.filter((s) => s.trim() !== "").map(classifyLicense);
  if (kinds.length === 0) return undefined;
  const only = kinds[0];
  if (kinds.length === 1 && only?.kind === "expression") return [{ expression: only.expression }];
  return kinds.map((k) => {
    if (k.kind === "id") return { license: { id: k.id } };
    if (k.kind === "expression") return { license: { name: k.expression } };
    return { license: { name: k.name } };
  });
}
