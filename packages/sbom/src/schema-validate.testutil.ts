import { readFileSync } from "node:fs";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

const SCHEMAS = new URL("../testdata/schemas/", import.meta.url).pathname;
const json = (rel: string): object => JSON.parse(readFileSync(SCHEMAS + rel, "utf8")) as object;

/**
 * Test helper: validators for the published CycloneDX 1.6 and SPDX 2.3 schemas. Formats are
 * asserted (ajv-formats) and strict mode is off for the schemas' `meta:enum` keyword, as
 * testdata/schemas/README notes; the two CycloneDX side schemas are registered under their $id.
 */
export function cyclonedxValidator(): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(json("cyclonedx/1.6/spdx.schema.json"));
  ajv.addSchema(json("cyclonedx/1.6/jsf-0.82.schema.json"));
  return ajv.compile(json("cyclonedx/1.6/bom-1.6.schema.json"));
}

export function spdxValidator(): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(json("spdx/2.3/spdx-schema.json"));
}

export function schemaPath(rel: string): string {
  return SCHEMAS + rel;
}
