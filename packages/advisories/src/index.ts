export * from "./model.js";
export { DEFAULT_OSV_LIMITS, parseOsv, parseOsvJson, type OsvLimits, type ParseOsvOptions } from "./osv.js";
export { DISTRO_ECOSYSTEMS, isDistroEcosystem, splitEcosystem, type SplitEcosystem } from "./ecosystem.js";
export { evaluate, fixedVersions, isAffected, newEvalStats, type Comparator, type EvalOptions, type EvalStats, type Evaluation } from "./evaluate.js";
export { semverCompare, semverValid } from "./semver.js";
export { score, type CvssRating, type CvssScore, type CvssVersion } from "./cvss/index.js";
export {
  databaseWordLevel, debianUrgencyLevel, normaliseSeverity, ubuntuPriorityLevel,
  type NormalisedSeverity, type SeveritySource,
} from "./severity.js";
export { readOsvDir, readOsvZip, type IngestItem, type IngestOptions } from "./ingest.js";
