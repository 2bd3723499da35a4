import { LookoutError } from "@lookout/domain";

/**
 * Normalise a tar entry name to an absolute image path ("/etc/passwd"). A leading "/" is taken
 * as the image root (never the host's); "." parts are dropped; a ".." that would climb above the
 * root is a path escape (LKT_ERR_PATH_ESCAPE), as containerd refuses such entries.
 */
export function normalizeEntryPath(name: string): string {
  const out: string[] = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0) throw new LookoutError("LKT_ERR_PATH_ESCAPE", `tar entry "${name.slice(0, 200)}" leaves the image root`);
      out.pop();
    } else out.push(part);
  }
  if (out.some((p) => p.includes("\0"))) throw new LookoutError("LKT_ERR_PATH_ESCAPE", "tar entry name holds a NUL byte");
  return "/" + out.join("/");
}

export function dirname(p: string): string {
  const i = p.lastIndexOf("/");
  return i <= 0 ? "/" : p.slice(0, i);
}

export function basename(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

/** True when `p` is `dir` itself or below it. */
export function isUnder(p: string, dir: string): boolean {
  return dir === "/" || p === dir || p.startsWith(dir + "/");
}

/** Join a symlink target onto the link's directory, chroot-style: ".." stops at the image root. */
function joinInRoot(baseDir: string, target: string): string[] {
  const parts = target.startsWith("/") ? [] : baseDir.split("/").filter(Boolean);
  for (const part of target.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return parts;
}

export const MAX_SYMLINK_HOPS = 40;

/**
 * Resolve `path` through the image's symlinks, every component, the way the kernel does inside
 * a chroot: absolute targets start at the image root and ".." never climbs above it, so a link
 * can never reach a host path. Returns undefined on a loop (more than 40 hops).
 */
export function resolveInRoot(path: string, symlinkOf: (p: string) => string | undefined): string | undefined {
  let pending = path.split("/").filter(Boolean);
  const done: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === ".") continue;
    if (part === "..") {
      done.pop();
      continue;
    }
    const cur = "/" + [...done, part].join("/");
    const target = symlinkOf(cur);
    if (target === undefined) {
      done.push(part);
      continue;
    }
    if (++hops > MAX_SYMLINK_HOPS) return undefined;
    const base = "/" + done.join("/");
    const joined = joinInRoot(base, target);
    pending = [...joined, ...pending];
    done.length = 0;
  }
  return "/" + done.join("/");
}
