// Keeps the in-process ref caches (repos/git-layer/ref-cache.ts) true across processes: a
// repository whose refs this process moved is announced on the bus's "refs" channel by its
// project id, and an announcement from any process drops that repository's cached refs. A
// lost connection (payload null) drops them all. PGlite runs one process: nothing to do.
// Announcements are gathered for a millisecond and sent once per repository (a busy project
// moves session refs many times a millisecond; each announcement is a query).
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
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    timer = null;
    for (const projectId of pending) bus.publish("refs", projectId).catch(onError);
    pending.clear();
  };
  const stopForwarding = onRefsInvalidated((dir, origin) => {
    if (origin !== "local" || !dir.endsWith(".git")) return;
    pending.add(basename(dir, ".git"));
    timer ??= setTimeout(flush, 1);
  });
  return () => {
    unsubscribe();
    stopForwarding();
    if (timer) clearTimeout(timer);
    flush();
  };
}
