import type { LayerFile, Package } from "../types.js";
import { parsePipfileLock, parsePoetryLock } from "./parse-lockfiles.js";
import { parseMetadata } from "./parse-metadata.js";
import { parseRequirements } from "./parse-requirements.js";

type Parser = (file: LayerFile) => Promise<Package[]>;

/** Installed distributions directly under a site-packages/dist-packages directory. */
const INSTALLED = /\/(?:site|dist)-packages\/(?:[^/]+\.dist-info\/METADATA|[^/]+\.egg-info\/PKG-INFO|[^/]+\.egg-info|[^/]+\.egg\/EGG-INFO\/PKG-INFO)$/;
/** requirements.txt, requirements-dev.txt, dev-requirements.txt, requirements/prod.txt. */
const REQUIREMENTS = /(?:^|\/)(?:[^/]*[-_.])?requirements(?:[-_.][^/]*)?\.txt$|\/requirements\/[^/]+\.txt$/;

/** Index keys for the layer walker: every path pythonParserFor accepts hits one. */
export const PYTHON_MATCH = { basenames: ["METADATA", "PKG-INFO", "poetry.lock", "Pipfile.lock"], extensions: ["egg-info", "txt"] };

/** The parser for an image path, or undefined. Path tests only. */
export function pythonParserFor(path: string): Parser | undefined {
  if (INSTALLED.test(path)) return parseMetadata;
  const base = path.slice(path.lastIndexOf("/") + 1);
  if (base === "poetry.lock") return parsePoetryLock;
  if (base === "Pipfile.lock") return parsePipfileLock;
  // Requirement files shipped inside installed packages or docs are not this image's installs.
  if (REQUIREMENTS.test(path) && !/\/(?:site|dist)-packages\/|^\/usr\/share\/doc\//.test(path)) return parseRequirements;
  return undefined;
}
