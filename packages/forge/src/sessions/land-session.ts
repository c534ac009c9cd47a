// Landing a session as the API and the MCP server do it: the caller may write, the session
// is open, the project's land rules hold; then the lander applies it and the answer carries
// the position, the landed commit (its tree and bytes, landed-commit.ts) and the session.
import type { Viewer } from "../accounts/viewer.ts";
import type { Forge } from "../http/context.ts";
import { landedCommit } from "./landed-commit.ts";
import { checkLandRules, getSession, reloadSession, requireOpen, sessionJson } from "./sessions-service.ts";

export async function landSession(forge: Forge, viewer: Viewer, owner: string, project: string, id: string) {
  const { project: p, role, session } = await getSession(forge.db, viewer, owner, project, id, "write");
  requireOpen(session);
  checkLandRules(p, role, session);
  const outcome = await forge.lander.land(p.id, session.id);
  const [after, landed] = await Promise.all([
    reloadSession(forge.db, session.id),
    landedCommit(forge.git.get(forge.repos.dir(p.id)), outcome.commit),
  ]);
  return { ...outcome, ...landed, session: sessionJson(after) };
}
