import { LookoutError, type ImageRef } from "@lookout/domain";
import { assertDigest } from "../digest.js";

/**
 * Parse "host[:port]/repo[:tag][@digest]" with Docker's defaults: no host → docker.io, and a
 * one-part docker.io name gets "library/".
 */
export function parseImageReference(s: string): ImageRef {
  if (s.length > 512) throw new LookoutError("LKT_ERR_VALIDATION", "image reference too long");
  let rest = s.trim();
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = assertDigest(rest.slice(at + 1));
    rest = rest.slice(0, at);
  }
  const slash = rest.indexOf("/");
  const first = slash < 0 ? "" : rest.slice(0, slash);
  let registry = "docker.io";
  if (slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost")) {
    registry = first;
    rest = rest.slice(slash + 1);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (registry === "docker.io" && !rest.includes("/")) rest = `library/${rest}`;
  if (!rest) throw new LookoutError("LKT_ERR_VALIDATION", `image reference "${s.slice(0, 100)}" has no repository`);
  return { registry, repository: rest, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}
