// Who hears of a project event, and why: watchers by their level, the session's author, the
// people mentioned in a review comment (@handle), the project's administrators for review
// requests and trust alerts. Nobody hears of their own action, "ignore" silences a project, and
// only people who may read the project now are kept (readersAmong, also used at send time).
import { sql } from "kysely";
import type { Db } from "../db/db.ts";
import { readableByAccount } from "../social/social-columns.ts";
import { mentionedHandles } from "./mentions.ts";

export type Reason = "mention" | "review_requested" | "author" | "administrator" | "watching";

interface Rule {
  /** Watch levels that hear it. */
  watch: ("all" | "sessions" | "releases")[];
  author?: boolean;
  admins?: boolean;
  mentions?: boolean;
  /** In the inbox only: the trust rules already mail administrators (trust/maintainer-alerts.ts). */
  inboxOnly?: boolean;
}

const SESSION: Rule = { watch: ["all", "sessions"] };
export const RULES: Record<string, Rule> = {
  "session.created": SESSION,
  "session.landed": { ...SESSION, author: true },
  "session.conflicted": { ...SESSION, author: true },
  "session.rejected": { ...SESSION, author: true },
  "session.review_requested": { ...SESSION, admins: true },
  "session.commented": { ...SESSION, author: true, mentions: true },
  "session.mentioned": { watch: [], mentions: true },
  "validation.finished": { watch: [], author: true },
  push: { watch: ["all"] },
  tag: { watch: ["all", "releases"] },
  star: { watch: ["all"] },
  fork: { watch: ["all"] },
  "review.over_capacity": { watch: [], admins: true, inboxOnly: true },
  "agents.paused": { watch: [], admins: true, inboxOnly: true },
};

/** Of these accounts, the ones that may read the project now (active, and allowed to see it). */
export async function readersAmong(db: Db, projectId: string, userIds: string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const { rows } = await sql<{ id: string }>`
    SELECT a.id FROM accounts a, projects p
    WHERE p.id = ${projectId} AND a.id = ANY(${userIds}::text[]) AND a.suspended_at IS NULL
      AND (a.is_admin OR ${readableByAccount(sql.ref("a.id"), "p")})`.execute(db);
  return new Set(rows.map((r) => r.id));
}

export interface ProjectEvent {
  id: number;
  project_id: string;
  type: string;
  data: Record<string, unknown>;
}

/** The recipients of one event: user id → the strongest reason. */
export async function recipientsOf(db: Db, e: ProjectEvent): Promise<Map<string, Reason>> {
  const rule = RULES[e.type];
  const out = new Map<string, Reason>();
  if (!rule) return out;
  if (e.type === "validation.finished" && !["failed", "error"].includes(String(e.data.status))) return out;
  const add = (ids: string[], reason: Reason) => {
    for (const id of ids) if (!out.has(id)) out.set(id, reason);
  };
  const byHandles = async (handles: string[]) =>
    handles.length
      ? (
          await db
            .selectFrom("accounts")
            .select("id")
            .where("kind", "=", "user")
            .where(sql<boolean>`lower(handle) = ANY(${handles.map((h) => h.toLowerCase())}::text[])`)
            .execute()
        ).map((r) => r.id)
      : [];
  if (rule.mentions && Array.isArray(e.data.mentions))
    add(
      await byHandles(e.data.mentions.filter((h): h is string => typeof h === "string").slice(0, 20)),
      "mention",
    );
  if (rule.mentions && typeof e.data.comment === "string") {
    const comment = await db
      .selectFrom("session_comments")
      .select("body")
      .where("id", "=", e.data.comment)
      .executeTakeFirst();
    if (comment) add(await byHandles(mentionedHandles(comment.body)), "mention");
  }
  if (rule.admins) {
    const admins = await sql<{ id: string }>`
      SELECT a.id FROM projects p JOIN accounts a ON (a.id = p.owner_id AND a.kind = 'user')
        OR a.id IN (SELECT m.user_id FROM org_members m WHERE m.org_id = p.owner_id AND m.role = 'owner')
      WHERE p.id = ${e.project_id}`.execute(db);
    add(
      admins.rows.map((r) => r.id),
      e.type === "session.review_requested" ? "review_requested" : "administrator",
    );
  }
  if (rule.author && typeof e.data.session === "string") {
    // The session's author (a comment's `author` is the comment's writer).
    const s = await db
      .selectFrom("sessions")
      .select("author_id")
      .where("id", "=", e.data.session)
      .executeTakeFirst();
    if (s?.author_id) add([s.author_id], "author");
  }
  if (rule.watch.length) {
    const watchers = await db
      .selectFrom("watches")
      .select("user_id")
      .where("project_id", "=", e.project_id)
      .where("level", "in", rule.watch)
      .execute();
    add(
      watchers.map((w) => w.user_id),
      "watching",
    );
  }
  const ignoring = await db
    .selectFrom("watches")
    .select("user_id")
    .where("project_id", "=", e.project_id)
    .where("level", "=", "ignore")
    .execute();
  for (const w of ignoring) out.delete(w.user_id);
  // Nobody hears of what they did: the actor, a comment's writer, who opened a session or met a conflict.
  const actor =
    typeof e.data.actor === "string"
      ? e.data.actor
      : ["session.commented", "session.created", "session.conflicted", "session.mentioned"].includes(e.type)
        ? e.data.author
        : null;
  if (typeof actor === "string") for (const id of await byHandles([actor])) out.delete(id);
  const readers = await readersAmong(db, e.project_id, [...out.keys()]);
  for (const id of [...out.keys()]) if (!readers.has(id)) out.delete(id);
  return out;
}
