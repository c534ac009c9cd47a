// What the session pages read besides the session itself: list filters taken from the query
// string (unknown values ignored), the last refused land of a session (its latest
// session.conflicted event), and the session's change as a diff — the commit at
// refs/sessions/<id> against the session's base, or once landed, the landed commit against
// its parent on trunk.
import { sql } from "kysely";
import { MAX_PATCH_BYTES, type Repo } from "../browse/browse-service.ts";
import { type CommitInfo, commitChanges, commitPatch, getCommit } from "../browse/git-history.ts";
import type { Db } from "../db/db.ts";
import type { ConflictDetail } from "../landing/land-types.ts";
import { EMPTY_TREE } from "../repos/git-layer/objects.ts";
import { resolveRef } from "../repos/git-layer/ref-cache.ts";
import { sessionRef } from "./session-changes.ts";
import type { SessionRow } from "./session-types.ts";

export const STATUSES = ["open", "landed", "abandoned", "rejected"] as const;
export const ORIGIN_VALUES = ["human", "ai-assisted", "ai-generated"] as const;

export interface ListFilters {
  status?: (typeof STATUSES)[number];
  origin?: (typeof ORIGIN_VALUES)[number];
  agent?: string;
  /** "ready": open sessions that passed the quality gate and wait for a maintainer's approval. */
  review?: "ready";
  before?: string;
}

const pick = <T extends string>(values: readonly T[], v: string | undefined) =>
  values.includes(v as T) ? (v as T) : undefined;

/** Filters from a query string: known statuses and origins, an agent name, a ULID cursor. */
export function listFilters(q: Record<string, string | undefined>): ListFilters {
  const agent = q.agent?.trim().slice(0, 100);
  return {
    status: pick(STATUSES, q.status),
    origin: pick(ORIGIN_VALUES, q.origin),
    agent: agent || undefined,
    review: q.review === "ready" ? "ready" : undefined,
    before: q.before && /^[0-9A-Z]{26}$/.test(q.before) ? q.before : undefined,
  };
}

/** The query string for a list URL ("" when empty), leaving out unset values. */
export function listQuery(f: ListFilters): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) params.set(k, v);
  const s = params.toString();
  return s ? `?${s}` : "";
}

export interface LastConflict {
  at: Date;
  conflicts: ConflictDetail[];
}

/** The session's most recent refused land (from the project's event stream), if any. */
export async function lastConflict(
  db: Db,
  projectId: string,
  sessionId: string,
): Promise<LastConflict | null> {
  const row = await db
    .selectFrom("project_events")
    .select(["data", "created_at"])
    .where("project_id", "=", projectId)
    .where("type", "=", "session.conflicted")
    .where(sql<string>`data->>'session'`, "=", sessionId)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  const data = row.data as { conflicts?: ConflictDetail[] };
  return { at: row.created_at, conflicts: Array.isArray(data.conflicts) ? data.conflicts : [] };
}

export interface SessionChange {
  /** "landed": the trunk commit against its parent; "session": the session's ref against its base. */
  kind: "landed" | "session";
  commit: CommitInfo;
  files: Awaited<ReturnType<typeof commitChanges>>;
  patches: Awaited<ReturnType<typeof commitPatch>>["files"];
  truncated: boolean;
}

/** The session's change as a diff, or null when there is none to show. */
export async function sessionChange(repo: Repo, s: SessionRow): Promise<SessionChange | null> {
  let kind: SessionChange["kind"] = "session";
  let commit: CommitInfo | undefined;
  if (s.status === "landed" && s.landed_commit) {
    kind = "landed";
    commit = await getCommit(repo.git, s.landed_commit);
  } else {
    // The session's ref, read in process (refs/sessions/<id>: a loose file or packed-refs).
    const sha = await resolveRef(repo.dir, sessionRef(s.id));
    const found = sha ? await getCommit(repo.git, sha) : undefined;
    // Diffed against the base (a pushed session may hold several commits on it).
    if (found) commit = { ...found, parents: [s.base_commit ?? EMPTY_TREE] };
  }
  if (!commit) return null;
  const [files, patch] = await Promise.all([
    commitChanges(repo.git, commit),
    commitPatch(repo.git, commit, MAX_PATCH_BYTES),
  ]);
  return { kind, commit, files, patches: patch.files, truncated: patch.truncated };
}
