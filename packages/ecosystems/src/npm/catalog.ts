import type { LayerFile, Package } from "../types.js";
import { parsePackageJson } from "./parse-package-json.js";
import { parsePackageLock } from "./parse-package-lock.js";
import { parsePnpmLock } from "./parse-pnpm-lock.js";
import { parseYarnLock } from "./parse-yarn-lock.js";

type Parser = (file: LayerFile) => Promise<Package[]>;

/** `<dir>/node_modules/[@scope/]name/package.json`; dot dirs (.bin, .pnpm) hold no package. */
const INSTALLED = /\/node_modules\/(?:@[^/]+\/)?[^/.@][^/]*\/package\.json$/;

const LOCKFILES = new Map<string, Parser>([
  ["package-lock.json", parsePackageLock],
  ["npm-shrinkwrap.json", parsePackageLock],
  ["pnpm-lock.yaml", parsePnpmLock],
  ["yarn.lock", parseYarnLock],
]);

/** Every file name npm reads (the layer walker's index keys). */
export const NPM_FILE_NAMES = ["package.json", ...LOCKFILES.keys()];

/** The parser for an image path, or undefined when npm does not read it. Path tests only. */
export function npmParserFor(path: string): Parser | undefined {
  if (path.endsWith("/package.json")) return INSTALLED.test(path) ? parsePackageJson : undefined;
  const base = path.slice(path.lastIndexOf("/") + 1);
  const parser = LOCKFILES.get(base);
  // Lockfiles shipped inside installed packages describe someone else's dev tree.
  return parser && !path.includes("/node_modules/") ? parser : undefined;
}
