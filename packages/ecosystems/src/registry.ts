import type { FileCataloger } from "./types.js";
import { apkCataloger } from "./apk/index.js";
import { dpkgCataloger, dpkgCopyrightCataloger } from "./dpkg/index.js";
import { rpmCataloger } from "./rpm/index.js";
import { npmCataloger } from "./npm/index.js";
import { pythonCataloger } from "./python/index.js";
import { GO_CATALOGERS } from "./go/index.js";
import { javaCataloger } from "./java/index.js";
import { rubyCataloger } from "./ruby/index.js";
import { RUST_CATALOGERS } from "./rust/index.js";
import { phpCataloger } from "./php/index.js";
import { dotnetCataloger } from "./dotnet/index.js";

/**
 * Every file cataloger the layer walker runs, one line per ecosystem. Names must be unique
 * (registry.test.ts checks). Add a language cataloger by importing its folder's object here.
 */
export const CATALOGERS: FileCataloger[] = [
  dpkgCataloger,
  dpkgCopyrightCataloger,
  apkCataloger,
  rpmCataloger,
  npmCataloger,
  pythonCataloger,
  ...GO_CATALOGERS,
  javaCataloger,
  rubyCataloger,
  ...RUST_CATALOGERS,
  phpCataloger,
  dotnetCataloger,
];
