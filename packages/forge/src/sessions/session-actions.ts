// Session operations that take several service calls (load with write access, check, act,
// read back), shared by every front end that offers them — the REST API (sessions-api.ts)
// the gRPC/Connect service (grpc/) and the MCP server (mcp/) — so that what one checks the others check too.
import type { Viewer } from "../accounts/viewer.ts";
import { recordSubmission } from "../attestation/attestation.ts";
import { requireValidation, runJson } from "../checks/validation-gate.ts";
import { scheduleValidation } from "../checks/validation-job.ts";
import { unauthorized } from "../errors/app-error.ts";
import type { Forge } from "../http/context.ts";
import { sessionChangeOf } from "../og/og-subjects.ts";
import type { GitRepo } from "../repos/git-layer/git-repo.ts";
import { checkChanges, checkLand, reviewRules } from "../trust/agent-limits.ts";
import { requireAgentsRunning } from "../trust/circuit-breaker.ts";
import { checkCapacityQuietly } from "../trust/review-budget.ts";
import { landedCommit } from "./landed-commit.ts";
import { type AppliedChanges, applyChanges, applyFiles, recordStats } from "./session-changes.ts";
import { syncSession } from "./session-sync.ts";
import type { SessionRow } from "./session-types.ts";
import {
  checkLandRules,
  clearReady,
  getSession,
  holdForReview,
  reloadSession,
  requireOpen,
} from "./sessions-service.ts";

/** A session the viewer may read, with the one-line summary of its change when one was written. */
export async function sessionDetail(
  forge: Forge,
  viewer: Viewer,
  owner: string,
  project: string,
  id: string,
) {
  const { project: p, session } = await getSession(forge.db, viewer, owner, project, id);
  return { session, changeSummary: (await sessionChangeOf(forge, p, session)).summary ?? null };
}

/** Applies file changes (the REST body: {changes: [{path, content (base64)} | {path, delete}]}). */
export function putSessionChanges(
  forge: Forge,
  viewer: Viewer,
  owner: string,
  project: string,
  id: string,
  input: unknown,
) {
  return changeSession(forge, viewer, owner, project, id, (repo, session, then) =>
    applyChanges(repo, session, input, then),
  );
}

/** Writes one file from its raw bytes (PUT …/file: files too large for a JSON body). */
export function putSessionFile(
  forge: Forge,
  viewer: Viewer,
  owner: string,
  project: string,
  id: string,
  file: { path: string; mode: string; bytes: Buffer },
) {
  return changeSession(forge, viewer, owner, project, id, (repo, session, then) =>
    applyFiles(repo, session, [file], then),
  );
}

async function changeSession(
  forge: Forge,
  viewer: Viewer,
  owner: string,
  project: string,
  id: string,
  apply: (
    repo: GitRepo,
    session: SessionRow,
    then: (r: AppliedChanges) => Promise<void>,
  ) => Promise<AppliedChanges>,
) {
  if (!viewer.user) throw unauthorized();
  const { project: p, role, session } = await getSession(forge.db, viewer, owner, project, id, "write");
  requireOpen(session);
  await checkChanges(forge.db, role, session);
  const applied = await apply(forge.git.get(forge.repos.dir(p.id)), session, (r) =>
    recordStats(forge.db, session, r),
  );
  if (session.ready_at) await clearReady(forge.db, session.id);
  await scheduleValidation(forge, p.id, session.id);
  return applied;
}

/** Lands the session (protection and review rules first); a conflict throws landConflict's error. */
export async function landSessionAs(
  forge: Forge,
  viewer: Viewer,
  owner: string,
  project: string,
  id: string,
  submission?: unknown,
) {
  if (!viewer.user) throw unauthorized();
  const { project: p, role, session } = await getSession(forge.db, viewer, owner, project, id, "write");
  requireOpen(session);
  // Submitted now: generation time, submission time, the author's signature (attestation/).
  await recordSubmission(forge, p, session, submission);
  checkLandRules(p, role, session);
  requireAgentsRunning(p, session.agent_name !== null || session.origin !== "human");
  const policy = await checkLand(forge, p, role, session);
  const apiBase = `/api/v1/projects/${owner}/${project}/sessions/${id}`;
  const validation = await requireValidation(forge, p, session, apiBase);
  await holdForReview(forge.db, session, reviewRules(p, role, session, viewer.user.id, policy)).catch(
    async (err) => {
      await checkCapacityQuietly(forge.db, p.id); // the queue grew: over the review budget?
      throw err;
    },
  );
  const { session: recorded, ...outcome } = await forge.lander.land(p.id, session.id, viewer.user.handle);
  const [after, landed] = await Promise.all([
    recorded ? (recorded as SessionRow) : reloadSession(forge.db, session.id),
    landedCommit(forge.git.get(forge.repos.dir(p.id)), outcome.commit),
  ]);
  return { ...outcome, ...landed, session: after, validation: validation && runJson(validation, apiBase) };
}

/** Moves the session onto a later trunk position (the REST body: {base?, commit?}). */
export async function syncSessionAs(
  forge: Forge,
  viewer: Viewer,
  owner: string,
  project: string,
  id: string,
  input: unknown,
) {
  if (!viewer.user) throw unauthorized();
  const { project: p, session } = await getSession(forge.db, viewer, owner, project, id, "write");
  const result = await syncSession(forge.db, forge.repos.dir(p.id), session, p.head_position, input);
  const after = await getSession(forge.db, viewer, owner, project, id);
  return { ...result, session: after.session };
}
