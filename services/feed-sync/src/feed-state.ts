import { eq } from "drizzle-orm";
import { schema, type Db } from "@lookout/db";
import type { Validators } from "./fetch/download.js";

/** Validators (ETag / Last-Modified) of one feed part, keyed like "osv:Debian". */
export async function loadValidators(db: Db, key: string): Promise<Validators | undefined> {
  const [row] = await db.select({ etag: schema.feedState.etag, lastModified: schema.feedState.lastModified })
    .from(schema.feedState).where(eq(schema.feedState.source, key));
  return row;
}

/** Stored only after the part was fully ingested: a run that dies before re-fetches it. */
export async function saveValidators(db: Db, key: string, v: Validators): Promise<void> {
  const values = { etag: v.etag ?? null, lastModified: v.lastModified ?? null, lastSuccessAt: new Date() };
  await db.insert(schema.feedState).values({ source: key, ...values })
    .onConflictDoUpdate({ target: schema.feedState.source, set: values });
}
