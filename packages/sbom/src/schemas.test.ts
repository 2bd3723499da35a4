import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cyclonedxValidator, schemaPath, spdxValidator } from "./schema-validate.testutil.js";

// The validators the SBOM tests rely on must themselves accept and reject what the spec's own
// conformance files say: otherwise "our SBOM validates" would prove nothing.
describe("schema validators agree with the published conformance files", () => {
  const cdx = cyclonedxValidator();
  const dir = schemaPath("cyclonedx/1.6/test-resources/");
  const files = readdirSync(dir).filter((f) => f.endsWith(".json"));

  it("has the 70 CycloneDX conformance BOMs", () => expect(files).toHaveLength(70));

  it.each(files)("%s", (f) => {
    const ok = cdx(JSON.parse(readFileSync(dir + f, "utf8")));
    expect(ok).toBe(f.startsWith("valid-"));
  });

  it("SPDX 2.3 example document validates", () => {
    const v = spdxValidator();
    expect(v(JSON.parse(readFileSync(schemaPath("spdx/2.3/examples/SPDXJSONExample-v2.3.spdx.json"), "utf8")))).toBe(true);
  });
});
