// Keeps the in-process ref caches (repos/git-layer/ref-cache.ts) true across processes: a
// repository whose refs this process moved is announced on the bus's "refs" channel by its
// project id, and an announcement from any process drops that repository's cached refs. A
// lost connection (payload null) drops them all. PGlite runs one process: nothing to do.
import { basename } from "node:path";
import type { DatabaseHandle } from "../db/db.ts";
import type { NotifyBus } from "../db/notify-bus.ts";
import { invalidateAllRefs, invalidateRefs, onRefsInvalidated } from "../repos/git-layer/ref-cache.ts";

export function syncRefCaches(
  database: DatabaseHandle,
  bus: NotifyBus,
  dirOf: (projectId: string) => string,
  onError: (err: unknown) => void,
): () => void {
  if (database.kind !== "postgres") return () => {};
  const unsubscribe = bus.subscribe("refs", (projectId) => {
    if (projectId === null) invalidateAllRefs();
    else invalidateRefs(dirOf(projectId), "remote");
  });
  const stopForwarding = onRefsInvalidated((dir, origin) => {
    if (origin !== "local" || !dir.endsWith(".git")) return;
    bus.publish("refs", basename(dir, ".git")).catch(onError);
  });
  return () => {
    unsubscribe();
    stopForwarding();
  };
}
