/**
 * @lookout/scan-pipeline: the analysis the scanner service and the CLI share —
 * inventory → one batched advisory lookup → match → persist/diff → SBOM, plus report formats.
 */
export { analyzeImage, analyzeInventory, inventoryOf, type Analysis, type AnalyzeOptions } from "./analyze.js";
export { advisoryUrl, bySeverity, cdxVulnerabilities, severityCounts, topFindings, type TopFinding } from "./report.js";
export { SARIF_SCHEMA, toJsonReport, toSarif, toTable } from "./formats.js";
export { classifyInput, describeInput, openInput, type ImageInput, type OpenInputOptions } from "./input.js";
