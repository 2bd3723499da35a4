const quote = (v: string): string => `"${v.replace(/[\\"]/g, "\\$&")}"`;

/**
 * A Postgres array literal (`{"a","b"}`) for a text[] parameter. Passing one string and casting it
 * (`${lit}::text[]`) works the same on node-postgres and PGlite, and keeps a whole key list in one
 * bind parameter instead of one parameter per element.
 */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => quote(v)).join(",")}}`;
}

/** Like `textArrayLiteral`, with SQL NULL for null elements. */
export function nullableTextArrayLiteral(values: readonly (string | null)[]): string {
  return `{${values.map((v) => (v === null ? "NULL" : quote(v))).join(",")}}`;
}

