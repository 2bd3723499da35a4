import type { FileCataloger } from "../types.js";
import { catalogArchive } from "./parse-archive.js";
import { DEFAULT_LIMITS } from "./zip.js";

/** Java archives by extension; the walker keeps them, we read them by random access. */
const ARCHIVE = /\.(?:jar|war|ear|jpi|hpi)$/i;
/** Bigger archives are not kept (cost); real fat jars and wars stay well below. */
export const ARCHIVE_MAX_BYTES = 1024 * 1024 * 1024;

/**
 * Java: jar/war/ear files, with shaded (several pom.properties) and nested archives. Packages
 * are Maven "groupId:artifactId"; `meta.archivePath` names the nested archive inside the file
 * and `meta.source = "manifest"` marks coordinates guessed from MANIFEST.MF + file name.
 */
export const javaCataloger = {
  name: "java-archive",
  version: 1,
  match: { extensions: ["jar", "war", "ear", "jpi", "hpi"] },
  wants: (path, info) => ARCHIVE.test(path) && info.size >= 22 && info.size <= ARCHIVE_MAX_BYTES,
  parse: async (file, ctx) => catalogArchive(await file.hostPath(), file.path, ctx, DEFAULT_LIMITS),
} satisfies FileCataloger;
