/** Test helpers other packages' tests share (`@lookout/ecosystems/testing`): never imported by runtime code. */
import { execFileSync } from "node:child_process";

/**
 * The oracle is Debian's own DEP-5 parser, python-debian (`debian.copyright`): per file, the
 * first line ("synopsis") of the License field of the header, every Files paragraph and every
 * stand-alone License paragraph; null when it is not machine-readable copyright-format 1.0; an
 * error string where python-debian itself refuses the file.
 */
const ORACLE = `
import json, logging, sys
from debian.copyright import Copyright, NotMachineReadableError
logging.disable(logging.WARNING)
out = {}
for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            c = Copyright(f, strict=False)
        if not c.header.known_format():
            out[path] = None
            continue
        names = []
        for p in ([c.header] if c.header.license else []) + list(c.all_files_paragraphs()) + list(c.all_license_paragraphs()):
            s = p.license.synopsis.strip() if p.license else ""
            if s and s not in names:
                names.append(s)
        out[path] = names
    except NotMachineReadableError:
        out[path] = None
    except Exception as e:
        out[path] = "error: %s" % e
json.dump(out, sys.stdout)
`;

export function pythonDebianLicenses(paths: string[]): Record<string, string[] | null | string> {
  try {
    execFileSync("/usr/bin/python3", ["-c", "import debian.copyright"], { stdio: "pipe" });
  } catch {
    throw new Error("python-debian is missing: apt-get install python3-debian (listed in .ci/apt-packages.txt)");
  }
  return JSON.parse(execFileSync("/usr/bin/python3", ["-c", ORACLE, ...paths], { maxBuffer: 64 << 20 }).toString("utf8")) as Record<string, string[] | null | string>;
}
export { buildElf } from "./go/elf.testutil.js";
