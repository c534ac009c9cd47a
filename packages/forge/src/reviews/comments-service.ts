// Review comments on sessions: a plain comment, a change request, or a prompt improvement
// suggestion (with, optionally, a rewritten prompt the agent can retry with). Anyone who may
// read the project reads them; any signed-in user who may read it writes them (for a private
// project that means its members), also on closed sessions (post-landing review). Authors
// edit their own; the project's administrators or the session's author resolve them; authors
// or administrators delete them. Each new comment is a session.commented project event, and
// its links count toward the abuse signal (abuse/) as a project description's do.

import { z } from "@hono/zod-openapi";
import { COMMENT_KINDS, type CommentKind, MAX_COMMENT_CHARS } from "@micelio/core";
import { ulid } from "@micelio/core/ulid";
import { sql } from "kysely";
import { noteLinks, noticing } from "../abuse/abuse-service.ts";
import { hasScope, type Viewer } from "../accounts/viewer.ts";
import type { Db } from "../db/db.ts";
import type { SessionComment } from "../db/schema.ts";
import { conflict, forbidden, invalid, notFound, unauthorized } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import type { Forge } from "../http/context.ts";
import { recordProjectEvent } from "../sessions/project-events.ts";
import { getSession } from "../sessions/sessions-service.ts";

export { COMMENT_KINDS, type CommentKind, MAX_COMMENT_CHARS };
/** A session holds at most this many comments (a guard against floods, not a quota). */
export const MAX_COMMENTS_PER_SESSION = 2_000;

const text = (field: string) =>
  z
    .string()
    .trim()
    .min(1, `${field} must not be empty`)
    .max(MAX_COMMENT_CHARS, `${field} must be at most ${MAX_COMMENT_CHARS} characters`);

export const createCommentSchema = z
  .object({
    kind: z.enum(COMMENT_KINDS).default("comment"),
    body: text("body").openapi({ description: "Markdown" }),
    path: z
      .string()
      .trim()
      .min(1)
      .max(4096)
      .optional()
      .openapi({ description: "A file of the change the comment is about" }),
    line: z.number().int().min(1).max(100_000_000).optional().openapi({ description: "A line of path" }),
    suggested_prompt: text("suggested_prompt")
      .optional()
      .openapi({ description: "prompt-suggestion only: a rewritten prompt the agent can retry with" }),
  })
  .superRefine((c, ctx) => {
    if (c.line !== undefined && c.path === undefined)
      ctx.addIssue({ code: "custom", path: ["line"], message: "line needs a path" });
    if (c.suggested_prompt !== undefined && c.kind !== "prompt-suggestion")
      ctx.addIssue({
        code: "custom",
        path: ["suggested_prompt"],
        message: "only a prompt-suggestion carries a suggested_prompt",
      });
  });

export const updateCommentSchema = z
  .object({
    body: text("body").optional(),
    suggested_prompt: text("suggested_prompt").nullable().optional(),
    resolved: z.boolean().optional(),
  })
  .superRefine((c, ctx) => {
    if (c.body === undefined && c.suggested_prompt === undefined && c.resolved === undefined)
      ctx.addIssue({ code: "custom", path: [], message: "give body, suggested_prompt or resolved" });
  });

export function commentJson(c: SessionComment) {
  return {
    id: c.id,
    session_id: c.session_id,
    kind: c.kind,
    author: c.author_handle,
    body: c.body,
    path: c.path,
    line: c.line,
    suggested_prompt: c.suggested_prompt,
    resolved: c.resolved_at !== null,
    resolved_at: c.resolved_at?.toISOString() ?? null,
    resolved_by: c.resolved_by,
    created_at: c.created_at.toISOString(),
    updated_at: c.updated_at.toISOString(),
  };
}
export type CommentJson = ReturnType<typeof commentJson>;

export interface CommentFilter {
  kind?: CommentKind;
  /** Only comments after this comment id (the list is oldest first). */
  after?: string;
  limit?: number;
}

/** A session's comments, oldest first (access was checked by the caller). */
export async function listComments(db: Db, sessionId: string, f: CommentFilter = {}) {
  let q = db.selectFrom("session_comments").selectAll().where("session_id", "=", sessionId);
  if (f.kind) q = q.where("kind", "=", f.kind);
  if (f.after) q = q.where("id", ">", f.after);
  return q
    .orderBy("id")
    .limit(Math.min(Math.max(f.limit ?? 200, 1), 500))
    .execute();
}

/** The session the viewer may read, with their role (404 when they may not). */
export const readableSession = (db: Db, viewer: Viewer, owner: string, project: string, id: string) =>
  getSession(db, viewer, owner, project, id);

/** The comments of a session the viewer may read. */
export async function commentsAs(
  db: Db,
  viewer: Viewer,
  owner: string,
  project: string,
  id: string,
  f: CommentFilter = {},
) {
  const { session } = await readableSession(db, viewer, owner, project, id);
  return (await listComments(db, session.id, f)).map(commentJson);
}

/** A signed-in viewer whose credential may write to sessions, and the session they may read. */
async function writerOn(db: Db, viewer: Viewer, owner: string, project: string, id: string) {
  const user = viewer.user;
  if (!user) throw unauthorized();
  const found = await readableSession(db, viewer, owner, project, id);
  if (!hasScope(viewer, "session:write")) throw forbidden("This token lacks the session:write scope");
  return { user, ...found };
}

/** Adds a comment; links in it count toward the abuse signal as a description's do. */
export async function createComment(
  forge: Forge,
  viewer: Viewer,
  owner: string,
  project: string,
  id: string,
  input: unknown,
) {
  const data = requireValid(createCommentSchema, input);
  const { db } = forge;
  const { user, project: p, session } = await writerOn(db, viewer, owner, project, id);
  const created = await db.transaction().execute(async (trx) => {
    const { n } = await trx
      .selectFrom("session_comments")
      .select(sql<number>`count(*)::int`.as("n"))
      .where("session_id", "=", session.id)
      .executeTakeFirstOrThrow();
    if (n >= MAX_COMMENTS_PER_SESSION)
      throw conflict(`This session already holds ${MAX_COMMENTS_PER_SESSION} comments`);
    const row = await trx
      .insertInto("session_comments")
      .values({
        id: ulid(),
        session_id: session.id,
        project_id: session.project_id,
        author_id: user.id,
        author_handle: user.handle,
        kind: data.kind,
        body: data.body,
        path: data.path ?? null,
        line: data.line ?? null,
        suggested_prompt: data.suggested_prompt ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordProjectEvent(trx, session.project_id, "session.commented", {
      session: session.id,
      comment: row.id,
      kind: row.kind,
      author: user.handle,
    });
    return commentJson(row);
  });
  const where = `a comment on session ${session.id} of ${p.owner_handle}/${p.handle}`;
  const text = `${data.body}\n${data.suggested_prompt ?? ""}`;
  await noticing(forge.log, noteLinks(db, forge.config.abuse, user, where, text, viewer.ip));
  return created;
}

async function commentOn(db: Db, sessionId: string, commentId: string) {
  const row = /^[0-9A-Z]{26}$/.test(commentId)
    ? await db
        .selectFrom("session_comments")
        .selectAll()
        .where("id", "=", commentId)
        .where("session_id", "=", sessionId)
        .executeTakeFirst()
    : undefined;
  if (!row) throw notFound("Comment not found");
  return row;
}

export async function updateComment(
  db: Db,
  viewer: Viewer,
  at: { owner: string; project: string; id: string; comment: string },
  input: unknown,
) {
  const data = requireValid(updateCommentSchema, input);
  const { user, role, session } = await writerOn(db, viewer, at.owner, at.project, at.id);
  const row = await commentOn(db, session.id, at.comment);
  const edits = data.body !== undefined || data.suggested_prompt !== undefined;
  if (edits && row.author_id !== user.id) throw forbidden("Only the comment's author can edit it");
  if (data.suggested_prompt && row.kind !== "prompt-suggestion")
    throw invalid("Only a prompt-suggestion carries a suggested_prompt", [
      { field: "suggested_prompt", message: "only a prompt-suggestion carries a suggested_prompt" },
    ]);
  if (data.resolved !== undefined && role !== "admin" && session.author_id !== user.id)
    throw forbidden("Only the project's administrators or the session's author resolve comments");
  const resolve =
    data.resolved === undefined
      ? {}
      : data.resolved
        ? { resolved_at: row.resolved_at ?? new Date(), resolved_by: row.resolved_by ?? user.handle }
        : { resolved_at: null, resolved_by: null };
  const updated = await db
    .updateTable("session_comments")
    .set({
      ...(data.body !== undefined ? { body: data.body } : {}),
      ...(data.suggested_prompt !== undefined ? { suggested_prompt: data.suggested_prompt } : {}),
      ...resolve,
      updated_at: new Date(),
    })
    .where("id", "=", row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return commentJson(updated);
}

export async function deleteComment(
  db: Db,
  viewer: Viewer,
  at: { owner: string; project: string; id: string; comment: string },
) {
  const { user, role, session } = await writerOn(db, viewer, at.owner, at.project, at.id);
  const row = await commentOn(db, session.id, at.comment);
  if (row.author_id !== user.id && role !== "admin")
    throw forbidden("Only the comment's author or the project's administrators delete it");
  await db.deleteFrom("session_comments").where("id", "=", row.id).execute();
}

export interface ReviewCounts {
  total: number;
  open: number;
  byKind: Record<CommentKind, number>;
}

/** How many comments a session holds, open (unresolved) and by kind, in one query. */
export async function reviewCounts(db: Db, sessionId: string): Promise<ReviewCounts> {
  const rows = await db
    .selectFrom("session_comments")
    .select(["kind", sql<number>`count(*)::int`.as("n"), sql<number>`count(resolved_at)::int`.as("done")])
    .where("session_id", "=", sessionId)
    .groupBy("kind")
    .execute();
  const byKind = { comment: 0, "prompt-suggestion": 0, "change-request": 0 };
  let total = 0;
  let done = 0;
  for (const r of rows) {
    byKind[r.kind] = r.n;
    total += r.n;
    done += r.done;
  }
  return { total, open: total - done, byKind };
}
