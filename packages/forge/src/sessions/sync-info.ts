// What changed on trunk since a session's base: the head, how far behind the session is, the
// landings since its base, and which of them touch the session's paths (the lander's own
// conflict check, landing/conflicts.ts), so an agent knows before landing whether a sync is
// needed. Reads only: nothing moves.
import type { Viewer } from "../accounts/viewer.ts";
import type { Forge } from "../http/context.ts";
import { findConflicts } from "../landing/conflicts.ts";
import { readSessionChange } from "../landing/session-read.ts";
import { listLandings } from "./landings-log.ts";
import { getSession } from "./sessions-service.ts";

/** Landings listed at most (the newest; `landings_truncated` says when there are more). */
export const SYNC_INFO_LANDINGS = 200;

export async function syncInfo(forge: Forge, viewer: Viewer, owner: string, project: string, id: string) {
  const { project: p, session } = await getSession(forge.db, viewer, owner, project, id);
  const head = p.head_position;
  const base = session.base_position;
  const behind = Math.max(0, head - base);
  const landings =
    behind === 0
      ? []
      : (await listLandings(forge.db, p.id, { limit: SYNC_INFO_LANDINGS })).filter((l) => l.position > base);
  const change =
    session.status === "open" && forge.repos.exists(p.id)
      ? await readSessionChange(forge.git.get(forge.repos.dir(p.id)), session)
      : null;
  const paths = change?.paths ?? [];
  const conflicts = behind && paths.length ? await findConflicts(forge.db, p.id, base, head, paths) : [];
  return {
    session_id: session.id,
    status: session.status,
    base_position: base,
    head_position: head,
    behind,
    paths,
    landings,
    landings_truncated: landings.length < behind,
    conflicts,
  };
}
