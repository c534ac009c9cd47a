// Who hears of a project event, and why: watchers by their level, the session's author, the
// people mentioned in a review comment (@handle), the project's administrators for review
// requests and trust alerts. Nobody hears of their own action, "ignore" silences a project, and
// only people who may read the project now are kept (readersAmong, also used at send time).
import { sql } from "kysely";
import type { Db } from "../db/db.ts";
import { readableByAccount } from "../social/social-columns.ts";
import { mentionedHandles } from "./mentions.ts";

export type Reason = "mention" | "review_requested" | "author" | "administrator" | "watching" | "following";

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
  return (await recipientsOfAll(db, [e])).get(e.id) ?? new Map();
}

const SELF_EVENTS = ["session.commented", "session.created", "session.conflicted", "session.mentioned"];
const str = (v: unknown) => (typeof v === "string" ? v : null);

/**
 * The recipients of a batch of events (event id → user id → the strongest reason), with a
 * fixed number of queries whatever the batch's size: the facts every event needs (handles,
 * comments, session authors, administrators, watches, who may read) are read once for all.
 */
export async function recipientsOfAll(
  db: Db,
  events: ProjectEvent[],
): Promise<Map<number, Map<string, Reason>>> {
  const out = new Map<number, Map<string, Reason>>();
  const live = events.filter((e) => {
    if (!RULES[e.type]) return false;
    return e.type !== "validation.finished" || ["failed", "error"].includes(String(e.data.status));
  });
  if (live.length === 0) return out;
  const rule = (e: ProjectEvent) => RULES[e.type]!;
  const projects = [...new Set(live.map((e) => e.project_id))];
  const commentIds = live.flatMap((e) =>
    rule(e).mentions && str(e.data.comment) ? [str(e.data.comment)!] : [],
  );
  const sessionIds = live.flatMap((e) =>
    rule(e).author && str(e.data.session) ? [str(e.data.session)!] : [],
  );
  const adminProjects = [...new Set(live.filter((e) => rule(e).admins).map((e) => e.project_id))];
  const [comments, authors, admins, watches] = await Promise.all([
    commentIds.length
      ? db.selectFrom("session_comments").select(["id", "body"]).where("id", "in", commentIds).execute()
      : [],
    sessionIds.length
      ? db.selectFrom("sessions").select(["id", "author_id"]).where("id", "in", sessionIds).execute()
      : [],
    adminProjects.length
      ? sql<{ project_id: string; id: string }>`
          SELECT p.id AS project_id, a.id FROM projects p JOIN accounts a ON (a.id = p.owner_id AND a.kind = 'user')
            OR a.id IN (SELECT m.user_id FROM org_members m WHERE m.org_id = p.owner_id AND m.role = 'owner')
          WHERE p.id = ANY(${adminProjects}::text[])`
          .execute(db)
          .then((r) => r.rows)
      : [],
    db
      .selectFrom("watches")
      .select(["project_id", "user_id", "level"])
      .where("project_id", "in", projects)
      .execute(),
  ]);
  const bodies = new Map(comments.map((c) => [c.id, c.body]));
  const adminsOf = groupBy(admins, (a) => a.project_id);
  const watchesOf = groupBy(watches, (w) => w.project_id);
  const projectOf = new Map(live.map((e) => [e.id, e.project_id]));
  const authorOf = new Map(authors.map((s) => [s.id, s.author_id]));
  // Handles: mentioned in the data or in a comment, and the actors (who hear nothing of their own act).
  const handlesOf = new Map<number, { mentions: string[]; actor: string | null }>();
  for (const e of live) {
    const mentions: string[] = [];
    if (rule(e).mentions && Array.isArray(e.data.mentions))
      mentions.push(...e.data.mentions.filter((h): h is string => typeof h === "string").slice(0, 20));
    const body = rule(e).mentions ? bodies.get(str(e.data.comment) ?? "") : undefined;
    if (body) mentions.push(...mentionedHandles(body));
    const actor = str(e.data.actor) ?? (SELF_EVENTS.includes(e.type) ? str(e.data.author) : null);
    handlesOf.set(e.id, { mentions, actor });
  }
  const allHandles = [
    ...new Set(
      [...handlesOf.values()]
        .flatMap((h) => [...h.mentions, ...(h.actor ? [h.actor] : [])])
        .map((h) => h.toLowerCase()),
    ),
  ];
  const idByHandle = new Map<string, string>();
  if (allHandles.length)
    for (const a of await db
      .selectFrom("accounts")
      .select(["id", "handle"])
      .where("kind", "=", "user")
      .where(sql<boolean>`lower(handle) = ANY(${allHandles}::text[])`)
      .execute())
      idByHandle.set(a.handle.toLowerCase(), a.id);
  const ids = (handles: string[]) => handles.flatMap((h) => idByHandle.get(h.toLowerCase()) ?? []);

  for (const e of live) {
    const r = rule(e);
    const to = new Map<string, Reason>();
    const add = (who: string[], reason: Reason) => {
      for (const id of who) if (!to.has(id)) to.set(id, reason);
    };
    const { mentions, actor } = handlesOf.get(e.id)!;
    if (r.mentions) add(ids(mentions), "mention");
    if (r.admins)
      add(
        (adminsOf.get(e.project_id) ?? []).map((a) => a.id),
        e.type === "session.review_requested" ? "review_requested" : "administrator",
      );
    if (r.author) {
      const author = authorOf.get(str(e.data.session) ?? "");
      if (author) add([author], "author");
    }
    const here = watchesOf.get(e.project_id) ?? [];
    if (r.watch.length)
      add(
        here.filter((w) => (r.watch as string[]).includes(w.level)).map((w) => w.user_id),
        "watching",
      );
    for (const w of here) if (w.level === "ignore") to.delete(w.user_id);
    if (actor) for (const id of ids([actor])) to.delete(id);
    if (to.size) out.set(e.id, to);
  }
  // Only those who may read the project now: one query for every (project, person) pair.
  const pairs = [...out].flatMap(([eventId, to]) =>
    [...to.keys()].map((user) => [projectOf.get(eventId)!, user] as const),
  );
  if (pairs.length === 0) return out;
  const { rows } = await sql<{ project_id: string; user_id: string }>`
    SELECT DISTINCT p.id AS project_id, a.id AS user_id
    FROM unnest(${pairs.map((x) => x[0])}::text[], ${pairs.map((x) => x[1])}::text[]) AS x(project_id, user_id)
    JOIN projects p ON p.id = x.project_id JOIN accounts a ON a.id = x.user_id
    WHERE a.suspended_at IS NULL AND (a.is_admin OR ${readableByAccount(sql.ref("a.id"), "p")})`.execute(db);
  const readable = new Set(rows.map((r) => `${r.project_id}\0${r.user_id}`));
  for (const [eventId, to] of out) {
    const project = projectOf.get(eventId)!;
    for (const user of [...to.keys()]) if (!readable.has(`${project}\0${user}`)) to.delete(user);
    if (to.size === 0) out.delete(eventId);
  }
  return out;
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}
