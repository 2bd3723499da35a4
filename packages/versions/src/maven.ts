import { checkLength, cmpDigits, invalidVersion, sign, validBy, type Ordering, type VersionScheme } from "./scheme.js";

/** One item of Maven's ComparableVersion tree: a number, a qualifier, or a nested list. */
export type MavenItem = { kind: "int"; value: string } | { kind: "str"; value: string } | { kind: "list"; items: MavenItem[] };

const NAME = "maven";
// Maven 3.9.x StringItem.QUALIFIERS; unknown qualifiers sort after all of them, lexically.
const QUALIFIERS = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const ALIASES: Record<string, string> = { ga: "", final: "", release: "", cr: "rc" };
const RELEASE_INDEX = String(QUALIFIERS.indexOf(""));

function comparableQualifier(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

function stringItem(raw: string, followedByDigit: boolean): MavenItem {
  let v = raw;
  if (followedByDigit && v.length === 1) {
    // a1 = alpha-1, b1 = beta-1, m1 = milestone-1
    v = v === "a" ? "alpha" : v === "b" ? "beta" : v === "m" ? "milestone" : v;
  }
  return { kind: "str", value: Object.hasOwn(ALIASES, v) ? (ALIASES[v] as string) : v };
}

function parseItem(isDigit: boolean, buf: string): MavenItem {
  return isDigit ? { kind: "int", value: buf.replace(/^0+(?=.)/, "") } : stringItem(buf, false);
}

function isNull(it: MavenItem): boolean {
  if (it.kind === "int") return /^0+$/.test(it.value);
  if (it.kind === "str") return comparableQualifier(it.value) === RELEASE_INDEX;
  return it.items.length === 0;
}

// ListItem.normalize: drop trailing null items (0, "", empty list), looking through nested lists.
function normalize(list: MavenItem[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const it = list[i] as MavenItem;
    if (isNull(it)) list.splice(i, 1);
    else if (it.kind !== "list") break;
  }
}

const isDigitChar = (c: string): boolean => c >= "0" && c <= "9";

/** Port of ComparableVersion.parseVersion (Maven 3.9.x): lowercases, splits on '.', '-' and digit/letter transitions. */
export function parseMaven(input: string): MavenItem {
  checkLength(NAME, input);
  if (/[\s\p{Cc}]/u.test(input)) throw invalidVersion(NAME, input, "contains whitespace or control characters");
  const version = input.toLowerCase();
  const root: MavenItem[] = [];
  let list = root;
  const stack: MavenItem[][] = [root];
  const push = (): void => {
    const child: MavenItem[] = [];
    list.push({ kind: "list", items: child });
    list = child;
    stack.push(child);
  };
  let isDigit = false;
  let start = 0;
  for (let i = 0; i < version.length; i++) {
    const c = version[i] as string;
    if (c === "." || c === "-") {
      list.push(i === start ? { kind: "int", value: "0" } : parseItem(isDigit, version.slice(start, i)));
      start = i + 1;
      if (c === "-") push();
    } else if (isDigitChar(c)) {
      if (!isDigit && i > start) {
        // MNG-7644: 1.0.0.X1 < 1.0.0-X2, so a qualifier after "." opens a sub-list like "-X" does.
        if (list.length > 0) push();
        list.push(stringItem(version.slice(start, i), true));
        start = i;
        push();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(true, version.slice(start, i)));
        start = i;
        push();
      }
      isDigit = false;
    }
  }
  if (version.length > start) {
    if (!isDigit && list.length > 0) push(); // treat a trailing ".X" as "-X" (MNG-7644)
    list.push(parseItem(isDigit, version.slice(start)));
  }
  for (let s = stack.pop(); s; s = stack.pop()) normalize(s);
  return { kind: "list", items: root };
}

/** Item.compareTo, where `b === null` means "no item on the other side". */
function cmpItem(a: MavenItem, b: MavenItem | null): Ordering {
  if (a.kind === "int") {
    if (b === null) return isNull(a) ? 0 : 1;
    return b.kind === "int" ? cmpDigits(a.value, b.value) : 1; // 1.1 > 1-sp, 1.1 > 1-1
  }
  if (a.kind === "str") {
    if (b === null) return sign(cmpJava(comparableQualifier(a.value), RELEASE_INDEX)); // 1-rc < 1, 1-sp > 1
    if (b.kind === "str") return sign(cmpJava(comparableQualifier(a.value), comparableQualifier(b.value)));
    return -1; // 1.any < 1.1, 1.any < 1-1
  }
  if (b === null) {
    // MNG-6964: compare every item with null, not only the first.
    for (const it of a.items) {
      const r = cmpItem(it, null);
      if (r !== 0) return r;
    }
    return 0;
  }
  if (b.kind === "int") return -1; // 1-1 < 1.0.x
  if (b.kind === "str") return 1; // 1-1 > 1-sp
  const n = Math.max(a.items.length, b.items.length);
  for (let i = 0; i < n; i++) {
    const l = a.items[i] ?? null;
    const r = b.items[i] ?? null;
    const res = l === null ? (r === null ? 0 : -cmpItem(r, null)) : cmpItem(l, r);
    if (res !== 0) return res as Ordering;
  }
  return 0;
}

// Java String.compareTo: UTF-16 code unit order, which JS string comparison already is.
function cmpJava(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Maven artifact versions, as org.apache.maven.artifact.versioning.ComparableVersion (3.9.x) orders them. */
export const maven = {
  name: NAME,
  parse: parseMaven,
  compare: (a: string, b: string): Ordering => cmpItem(parseMaven(a), parseMaven(b)),
  valid: validBy(parseMaven),
} satisfies VersionScheme;
