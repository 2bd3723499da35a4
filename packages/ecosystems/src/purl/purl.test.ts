import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildPurl, purlEncode, type PurlParts } from "./purl.js";
import { osPurl } from "./os.js";

const DIR = new URL("../../testdata/os/purl/", import.meta.url).pathname;

interface SpecTest {
  description: string;
  test_type: string;
  input: unknown;
  expected_output: string | null;
  expected_failure: boolean;
}

function buildCases(file: string): [string, SpecTest][] {
  const { tests } = JSON.parse(readFileSync(file, "utf8")) as { tests: SpecTest[] };
  return tests.filter((t) => t.test_type === "build").map((t) => [t.description, t]);
}

const FILES = [join(DIR, "specification-test.json"), ...readdirSync(join(DIR, "types")).map((f) => join(DIR, "types", f))];

describe.each(FILES.map((f) => [f.slice(DIR.length)]))("purl-spec build cases: %s", (rel) => {
  it.each(buildCases(join(DIR, rel)))("%s", (_d, t) => {
    const input = t.input as PurlParts;
    if (t.expected_failure) expect(() => buildPurl(input)).toThrow();
    else expect(buildPurl(input)).toBe(t.expected_output);
  });
});

describe("OS purls", () => {
  it("deb with epoch and binNMU, distro qualifier", () => {
    expect(osPurl({ type: "dpkg", name: "attr", version: "1:2.4.47-2+b1", arch: "amd64" }, { id: "debian", versionId: "12" })).toBe(
      "pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64&distro=debian-12",
    );
  });
  it("rpm: epoch moves to a qualifier, namespace per distro", () => {
    expect(osPurl({ type: "rpm", name: "hello", version: "1:0.0.1-rls", epoch: 1, arch: "x86_64" }, { id: "rhel", versionId: "9.4" })).toBe(
      "pkg:rpm/redhat/hello@0.0.1-rls?arch=x86_64&distro=rhel-9.4&epoch=1",
    );
  });
  it("apk on Wolfi", () => {
    expect(osPurl({ type: "apk", name: "curl", version: "8.4.0-r0", arch: "aarch64" }, { id: "wolfi", versionId: "20230201" })).toBe(
      "pkg:apk/wolfi/curl@8.4.0-r0?arch=aarch64&distro=wolfi-20230201",
    );
  });
});

describe("purlEncode fast path", () => {
  it("gives what the encoder gives for every printable ASCII character and some others", () => {
    const slow = (s: string) => encodeURIComponent(s).replace(/%3A/gi, ":").replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    for (let c = 0x20; c < 0x7f; c++) for (const s of [String.fromCharCode(c), `a${String.fromCharCode(c)}1.0`]) expect(purlEncode(s)).toBe(slow(s));
    for (const s of ["", "1:2.3-4ubuntu1~18.04", "é", "a b", "名前"]) expect(purlEncode(s)).toBe(slow(s));
  });
});
