// The session page's review forms: add a comment (kind, markdown body, optional file, line
// and suggested prompt), resolve or reopen one, delete one. Each posts with the CSRF token
// and comes back to the session page at the comment; a refused comment shows its form again
// with the reasons.

import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";
import { Layout } from "../web/layout.tsx";
import { formFailure, formFields, meta } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import { createComment, deleteComment, readableSession, updateComment } from "./comments-service.ts";
import { CommentForm } from "./review-views.tsx";

export const sessionReviewPages = new Hono<AppEnv>();

const sessionUrl = (owner: string, project: string, id: string) =>
  `/${encodeURIComponent(owner)}/${encodeURIComponent(project)}/sessions/${encodeURIComponent(id)}`;

/** The form's fields as the API's body: empty optional fields left out, the line a number. */
export function commentInput(v: Record<string, string>) {
  const line = v.line?.trim();
  return {
    kind: v.kind || "comment",
    body: v.body ?? "",
    ...(v.path?.trim() ? { path: v.path } : {}),
    ...(line ? { line: /^\d{1,9}$/.test(line) ? Number(line) : Number.NaN } : {}),
    ...(v.suggested_prompt?.trim() ? { suggested_prompt: v.suggested_prompt } : {}),
  };
}

sessionReviewPages.post("/:owner/:project/sessions/:id/comments", requireSignedIn, async (c) => {
  const [owner, project, id] = [c.req.param("owner"), c.req.param("project"), c.req.param("id")];
  const viewer = c.get("viewer");
  const db = c.get("forge").db;
  const values = await formFields(c);
  try {
    const created = await createComment(c.get("forge"), viewer, owner, project, id, commentInput(values));
    return c.redirect(`${sessionUrl(owner, project, id)}#comment-${created.id}`, 303);
  } catch (err) {
    const f = formFailure(err);
    const { project: p, session: s } = await readableSession(db, viewer, owner, project, id);
    return c.html(
      <Layout {...meta(c, `Review · ${s.goal.slice(0, 60)}`)}>
        <p>
          <a href={sessionUrl(p.owner_handle, p.handle, s.id)}>← {s.goal}</a>
        </p>
        <CommentForm
          p={p}
          s={s}
          csrf={c.get("csrfToken")}
          form={{ values, errors: f.fields, message: f.message }}
        />
      </Layout>,
      f.status,
    );
  }
});

sessionReviewPages.post(
  "/:owner/:project/sessions/:id/comments/:comment/resolve",
  requireSignedIn,
  async (c) => {
    const at = {
      owner: c.req.param("owner"),
      project: c.req.param("project"),
      id: c.req.param("id"),
      comment: c.req.param("comment"),
    };
    const values = await formFields(c);
    await updateComment(c.get("forge").db, c.get("viewer"), at, { resolved: values.resolved !== "0" });
    return c.redirect(`${sessionUrl(at.owner, at.project, at.id)}#comment-${at.comment}`, 303);
  },
);

sessionReviewPages.post(
  "/:owner/:project/sessions/:id/comments/:comment/delete",
  requireSignedIn,
  async (c) => {
    const at = {
      owner: c.req.param("owner"),
      project: c.req.param("project"),
      id: c.req.param("id"),
      comment: c.req.param("comment"),
    };
    await deleteComment(c.get("forge").db, c.get("viewer"), at);
    return c.redirect(`${sessionUrl(at.owner, at.project, at.id)}#review`, 303);
  },
);
