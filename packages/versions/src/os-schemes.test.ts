import { describe, expect, it } from "vitest";
import { apk } from "./apk.js";
import { dpkg } from "./dpkg.js";
import { rpm } from "./rpm.js";
import { expectInvalid, expectOrder } from "./test-helpers.js";

describe("dpkg", () => {
  it("orders like verrevcmp: ~ before end, letters before symbols, epochs first", () => {
    expectOrder(dpkg, [
      ["1.0~rc1", "<", "1.0"],
      ["1.0~~", "<", "1.0~"],
      ["1.0~", "<", "1.0"],
      ["1.0", "<", "1.0a"],
      ["1.0a", "<", "1.0+"],
      ["1.0+", "<", "1.0."],
      ["1.0", "<", "1.0.0"],
      ["1.0", "=", "1.00"],
      ["1.0", "=", "1.0-0"],
      ["1:0.1", ">", "9.9"],
      ["0:1.0", "=", "1.0"],
      ["1.0-1", "<", "1.0-1ubuntu1"],
      ["1.0-1+deb12u1", ">", "1.0-1"],
      ["1.0-1~bpo1", "<", "1.0-1"],
      ["2.38.1-5+b1", ">", "2.38.1-5"],
      ["1.2-3-4", ">", "1.2-3"], // upstream "1.2-3", revision "4"
      ["1:2:3-1", ">", "1:2:2-1"], // ':' is allowed in upstream once an epoch exists
      ["1.0", ">", "1.0-~"], // revision "~" sorts before the empty revision
    ]);
  });

  it("keeps dpkg's warnings comparable and refuses what dpkg calls errors", () => {
    expect(dpkg.parse("abc").warning).toBe("version number does not start with digit");
    expect(dpkg.parse("1.0_1").warning).toBe("invalid character in version number");
    expect(dpkg.compare("abc", "1")).toBe(1); // letters sort after digits; dpkg warns but answers
    expectInvalid(dpkg, ["", "  ", "1:", ":1", "a:1", "1-", "-1", "1 2", "-1:1", "99999999999:1", "x".repeat(2000)]);
  });
});

describe("rpm", () => {
  it("orders like rpmvercmp/labelCompare", () => {
    expectOrder(rpm, [
      ["1.0~rc1", "<", "1.0"],
      ["1.0^git1", ">", "1.0"],
      ["1.0^git1", "<", "1.0.1"],
      ["1.0~rc1^git1", ">", "1.0~rc1"],
      ["1a", "=", "1.a"], // separators only split segments
      ["1.a", "=", "1_a"],
      ["10", ">", "9"],
      ["0010", "=", "10"],
      ["1.fc17", ">", "1b.fc17"],
      ["1:1.0-1", ">", "2.0-1"],
      ["0:1.0-1", "=", "1.0-1"],
      [":1.0-1", "=", "0:1.0-1"],
      ["1.0", "<", "1.0-1"], // a missing release sorts first (python-rpm labelCompare)
      ["1.0-1.el9", "<", "1.0-1.el9_1"],
      ["2.0.5-12.fc39", "<", "2.0.6-12.fc39"],
    ]);
  });

  it("refuses empty, whitespace and versionless strings", () => {
    expectInvalid(rpm, ["", "1 .0", "1.0\n", "1:", "-1", "\t"]);
  });
});

describe("apk", () => {
  it("orders like apk-tools: suffixes around the release, letters, leading-zero string compare, -rN, ~hash", () => {
    expectOrder(apk, [
      ["1.2_alpha1", "<", "1.2_beta1"],
      ["1.2_beta1", "<", "1.2_pre1"],
      ["1.2_pre1", "<", "1.2_rc1"],
      ["1.2_rc1", "<", "1.2"],
      ["1.2", "<", "1.2_cvs1"],
      ["1.2_cvs1", "<", "1.2_svn1"],
      ["1.2_svn1", "<", "1.2_git1"],
      ["1.2_git1", "<", "1.2_hg1"],
      ["1.2_hg1", "<", "1.2_p1"],
      ["1.2", "<", "1.2a"],
      ["1.2a", "<", "1.2b"],
      ["1.2z", "<", "1.2.1"],
      ["1.2-r0", "<", "1.2-r1"],
      ["1.2-r9", "<", "1.2-r10"],
      ["1.2", "<", "1.2-r0"], // the longer version wins unless it goes on with a pre-release suffix
      ["1.2_p1-r1", ">", "1.2_p1"],
      ["1.02", "<", "1.1"], // leading zero: string comparison
      ["1.010", "<", "1.09"],
      ["1.2~abc123-r0", ">", "1.2-r0"],
      ["1.2.3_alpha_beta", "<", "1.2.3_alpha"],
      ["18446744073709551617", "=", "1"], // apk parses into uint64, which wraps
    ]);
  });

  it("refuses what apk_version_validate refuses", () => {
    expectInvalid(apk, ["", "a", ".1", "1.2_foo", "1.2-1", "1-r", "1.2A", "6.6.2p1", "1.2~", "1.2~XYZ", "1.2-r1-r2", "1..2", "1.2 "]);
  });
});
