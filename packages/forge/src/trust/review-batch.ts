// Batch review: the sessions waiting for review (GET …/sessions?review=ready) grouped by
// similarity, so that a maintainer reads similar AI contributions side by side and decides on
// the selected ones in one request. Two queued sessions share a group when the same agent
// (account and agent name) sent them and their goals start with the same words or they touch
// the same directories, or when their changes' MinHashes (trust/near-duplicates.ts) are at
// least LINK_SIMILARITY alike, whoever sent them. Each decision goes through the same service
// functions as a single approval or rejection (and land), and is audited one by one.
import { z } from "@hono/zod-openapi";
import { hasScope, type Viewer } from "../accounts/viewer.ts";
import { repoOf } from "../browse/browse-service.ts";
import { AppError, forbidden, unauthorized } from "../errors/app-error.ts";
import { toProblem } from "../errors/problem.ts";
import { requireValid } from "../errors/validate.ts";
import type { Forge } from "../http/context.ts";
import { getProject, type ProjectWithOwner } from "../projects/projects-service.ts";
import { landSessionAs } from "../sessions/session-actions.ts";
import { auditSessionDecision, type SessionDecision } from "../sessions/session-audit.ts";
import { type SessionChange, sessionChange } from "../sessions/session-pages-data.ts";
import type { SessionRow } from "../sessions/session-types.ts";
import {
  approveSession,
  getSession,
  listSessions,
  rejectSessionAs,
  sessionJson,
} from "../sessions/sessions-service.ts";
import { similarity } from "./near-duplicates.ts";
import { checkCapacityQuietly, loadBudget, reviewEstimate } from "./review-budget.ts";

/** Changes at least this alike (estimated Jaccard of added lines) go in one group. */
export const LINK_SIMILARITY = 0.5;
/** Words of the goal compared for "the same kind of work". */
const GOAL_WORDS = 3;
export const MAX_BATCH = 50;

export const goalPrefix = (goal: string) =>
  goal
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]+/gu, " ")
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, GOAL_WORDS)
    .join(" ");

/** The directories a change touches (top-level names; "/" for files at the root). */
export const directoriesOf = (paths: string[]) =>
  [...new Set(paths.map((p) => (p.includes("/") ? p.slice(0, p.indexOf("/")) : "/")))].sort().join(",");

export interface Groupable {
  id: string;
  author: string;
  agent: string | null;
  goal: string;
  paths: string[];
  minhash: number[] | null;
}

/** Union-find over the queue; groups (largest first) of session ids in queue order, with why they are grouped. */
export function groupSimilar(items: Groupable[]) {
  const parent = items.map((_, i) => i);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root]!;
    return root;
  };
  const why = new Map<number, Set<string>>();
  const link = (a: number, b: number, reason: string) => {
    const [ra, rb] = [find(a), find(b)];
    const reasons = new Set([...(why.get(ra) ?? []), ...(why.get(rb) ?? []), reason]);
    if (ra !== rb) parent[rb] = ra;
    why.set(find(a), reasons);
  };
  for (let i = 0; i < items.length; i++)
    for (let j = i + 1; j < items.length; j++) {
      const [a, b] = [items[i]!, items[j]!];
      const sameAgent = a.agent !== null && a.agent === b.agent && a.author === b.author;
      if (sameAgent && goalPrefix(a.goal) && goalPrefix(a.goal) === goalPrefix(b.goal))
        link(i, j, "same agent, same goal prefix");
      else if (sameAgent && a.paths.length && directoriesOf(a.paths) === directoriesOf(b.paths))
        link(i, j, "same agent, same directories");
      else if (a.minhash && b.minhash && similarity(a.minhash, b.minhash) >= LINK_SIMILARITY)
        link(i, j, "similar changes");
    }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < items.length; i++) groups.set(find(i), [...(groups.get(find(i)) ?? []), i]);
  return [...groups.entries()]
    .map(([root, members]) => ({
      ids: members.map((i) => items[i]!.id),
      reasons: [...(why.get(root) ?? [])].sort(),
    }))
    .sort((x, y) => y.ids.length - x.ids.length);
}

export interface BatchSession {
  session: SessionRow;
  change: SessionChange | null;
  paths: string[];
  estimate: number;
}

/** The queue (at most 100 sessions) with each change, grouped; readable by anyone who may read the project. */
export async function reviewBatch(forge: Forge, viewer: Viewer, owner: string, handle: string) {
  const { project: p, role } = await getProject(forge.db, viewer, owner, handle);
  const [queue, budget] = await Promise.all([
    listSessions(forge.db, p, { review: "ready", limit: 100 }),
    loadBudget(forge.db, p.id),
  ]);
  const repo = forge.repos.exists(p.id) ? await repoOf(forge, p, role) : undefined;
  const sessions: BatchSession[] = [];
  for (const s of queue.reverse()) {
    const change = repo ? await sessionChange(repo, s).catch(() => null) : null;
    const paths = change ? change.files.map((f) => f.path) : [];
    sessions.push({
      session: s,
      change,
      paths,
      estimate: reviewEstimate(budget, Number(s.lines_added) + Number(s.lines_removed)),
    });
  }
  const byId = new Map(sessions.map((s) => [s.session.id, s]));
  const groups = groupSimilar(
    sessions.map(({ session: s, paths }) => ({
      id: s.id,
      author: s.author_handle,
      agent: s.agent_name,
      goal: s.goal,
      paths,
      minhash: s.diff_minhash,
    })),
  ).map((g) => {
    const members = g.ids.map((id) => byId.get(id)!);
    const first = members[0]!.session;
    const agents = [
      ...new Set(
        members.map((m) =>
          m.session.agent_name
            ? `${m.session.author_handle}/${m.session.agent_name}`
            : m.session.author_handle,
        ),
      ),
    ];
    return {
      id: first.id,
      label: `${agents.join(", ")}: ${goalPrefix(first.goal) || first.goal}`,
      reasons: g.reasons,
      estimate_minutes: Math.round(members.reduce((a, m) => a + m.estimate, 0) * 10) / 10,
      sessions: members,
    };
  });
  const capacity = await checkCapacityQuietly(forge.db, p.id);
  return { project: p, role, groups, capacity, repo };
}

export type ReviewBatch = Awaited<ReturnType<typeof reviewBatch>>;

export function batchJson(b: ReviewBatch) {
  return {
    capacity: b.capacity,
    groups: b.groups.map((g) => ({
      id: g.id,
      label: g.label,
      reasons: g.reasons,
      estimate_minutes: g.estimate_minutes,
      sessions: g.sessions.map((m) => ({
        ...sessionJson(m.session),
        review_estimate_minutes: m.estimate,
        files: (m.change?.files ?? []).map((f) => ({
          path: f.path,
          status: f.status,
          additions: f.additions,
          deletions: f.deletions,
        })),
      })),
    })),
  };
}

export const batchDecisionSchema = z
  .object({
    sessions: z.array(z.string().max(40)).min(1).max(MAX_BATCH),
    decision: z.enum(["approve", "reject"]),
    reason: z.string().trim().max(500).optional(),
    land: z.boolean().optional(),
  })
  .strict()
  .openapi("ReviewBatchDecision");

export interface BatchOutcome {
  id: string;
  ok: boolean;
  status?: string;
  landed_position?: number | null;
  error?: { type: string; status: number; detail: string };
}

const failure = (err: unknown) => {
  if (!(err instanceof AppError)) throw err;
  const { type, status, detail } = toProblem(err);
  return { type, status, detail };
};

/**
 * A project administrator approves (and optionally lands) or rejects each of the given
 * sessions, through the same functions as one decision; each is audited, each failure is
 * reported in its place without undoing the others. Non-administrators are refused whole.
 */
export async function decideBatch(
  forge: Forge,
  viewer: Viewer,
  owner: string,
  handle: string,
  input: unknown,
) {
  const user = viewer.user;
  if (!user) throw unauthorized();
  const body = requireValid(batchDecisionSchema, input ?? {});
  const { project: p } = await getProject(forge.db, viewer, owner, handle, "admin");
  // Each decision is a session write, as on its own: refused whole rather than one by one.
  if (!hasScope(viewer, "session:write")) throw forbidden("This token lacks the session:write scope");
  const outcomes: BatchOutcome[] = [];
  for (const id of [...new Set(body.sessions)]) {
    try {
      outcomes.push(await decideOne(forge, viewer, user, p, id, body));
    } catch (err) {
      outcomes.push({ id, ok: false, error: failure(err) });
    }
  }
  await checkCapacityQuietly(forge.db, p.id);
  return {
    decided: outcomes.filter((o) => o.ok).length,
    failed: outcomes.filter((o) => !o.ok).length,
    results: outcomes,
  };
}

async function decideOne(
  forge: Forge,
  viewer: Viewer,
  user: { id: string; handle: string },
  p: ProjectWithOwner,
  id: string,
  body: z.infer<typeof batchDecisionSchema>,
): Promise<BatchOutcome> {
  const [owner, handle] = [p.owner_handle, p.handle];
  const audit = (action: SessionDecision, data: Record<string, unknown> = {}) =>
    auditSessionDecision(forge.db, viewer, { projectId: p.id, owner, project: handle, id }, action, {
      batch: true,
      ...data,
    });
  if (body.decision === "reject") {
    const rejected = await rejectSessionAs(forge.db, viewer, user, owner, handle, id, {
      ...(body.reason ? { reason: body.reason } : {}),
    });
    await audit("session.reject", { reason: rejected.status_reason });
    return { id, ok: true, status: rejected.status };
  }
  const { session } = await getSession(forge.db, viewer, owner, handle, id, "write");
  const approved = session.approved_at ? session : await approveSession(forge.db, session, user);
  if (!session.approved_at) await audit("session.approve");
  if (!body.land) return { id, ok: true, status: approved.status };
  try {
    const landed = await landSessionAs(forge, viewer, owner, handle, id);
    await audit("session.land", { position: landed.position });
    return { id, ok: true, status: landed.session.status, landed_position: landed.position };
  } catch (err) {
    return { id, ok: false, status: "open", error: failure(err) };
  }
}
