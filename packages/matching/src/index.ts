export { match } from "./matcher.js";
export { rpmEvr, type AdvisoryLookup, type MatchOptions } from "./target.js";
export { newMatchStats, type Finding, type MatchStats } from "./model.js";
export { diffFindings, findingKey, findingPackageKey, type FindingsDiff } from "./diff.js";
export { distroScope, type DistroScope, type ScopeOptions } from "./distro.js";
export { normalizePackageName } from "./names.js";
export { cveOf, identityOf, pickPrimary } from "./ids.js";
