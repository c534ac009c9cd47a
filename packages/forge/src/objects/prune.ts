// Deletes objects under a prefix that were last written before a date: pictures drawn for
// subjects that have changed since are otherwise kept forever. Safe for objects still in use
// when they can be made again (an OG picture is drawn anew on its next request).
import { checkObjectPrefix, type ObjectStore } from "./object-store.ts";

/** Deletes what `prefix` holds older than `before`; returns how many objects went. */
export async function pruneObjects(store: ObjectStore, prefix: string, before: Date): Promise<number> {
  checkObjectPrefix(prefix);
  let deleted = 0;
  for await (const o of store.list(prefix)) {
    if (o.modified.getTime() >= before.getTime()) continue;
    await store.delete(o.key);
    deleted++;
  }
  return deleted;
}
