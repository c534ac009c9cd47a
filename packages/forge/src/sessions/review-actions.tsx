// The session page's review actions for project administrators (not the session's author):
// approve an open session for landing, or reject it with a reason. Plain forms (CSRF-checked
// like every form) that post back to the session page.
import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";
import { getProject } from "../projects/projects-service.ts";
import { CsrfField } from "../web/layout.tsx";
import { formFields } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import { auditSessionDecision } from "./session-audit.ts";
import type { SessionRow } from "./session-types.ts";
import { approveSession, getSession, rejectSessionAs } from "./sessions-service.ts";

export const reviewActionPages = new Hono<AppEnv>();
reviewActionPages.use("/:owner/:project/sessions/:id/approve", requireSignedIn);
reviewActionPages.use("/:owner/:project/sessions/:id/reject", requireSignedIn);
const userOf = (c: { get(k: "viewer"): { user: { id: string; handle: string } | null } }) =>
  c.get("viewer").user!;

reviewActionPages.post("/:owner/:project/sessions/:id/approve", async (c) => {
  const user = userOf(c);
  const [owner, project, id] = [c.req.param("owner"), c.req.param("project"), c.req.param("id")];
  const db = c.get("forge").db;
  const { session } = await getSession(db, c.get("viewer"), owner, project, id, "write");
  await getProject(db, c.get("viewer"), owner, project, "admin");
  await approveSession(db, session, user);
  const where = { projectId: session.project_id, owner, project, id };
  await auditSessionDecision(db, c.get("viewer"), where, "session.approve");
  return c.redirect(`/${owner}/${project}/sessions/${id}`, 303);
});

reviewActionPages.post("/:owner/:project/sessions/:id/reject", async (c) => {
  const user = userOf(c);
  const [owner, project, id] = [c.req.param("owner"), c.req.param("project"), c.req.param("id")];
  const { reason } = await formFields(c);
  const db = c.get("forge").db;
  const rejected = await rejectSessionAs(db, c.get("viewer"), user, owner, project, id, { reason });
  const where = { projectId: rejected.project_id, owner, project, id };
  await auditSessionDecision(db, c.get("viewer"), where, "session.reject", {
    reason: rejected.status_reason,
  });
  return c.redirect(`/${owner}/${project}/sessions/${id}`, 303);
});

export function ReviewActions({
  s,
  here,
  canReview,
  csrf,
}: {
  s: SessionRow;
  here: string;
  canReview: boolean;
  csrf: string;
}) {
  if (!canReview || s.status !== "open") return null;
  return (
    <section class="card review-actions" aria-labelledby="review-actions-title">
      <h2 id="review-actions-title">Approve or reject</h2>
      {s.ready_at && !s.approved_at ? (
        <p>An agent's session that passed the quality gate: it waits for your approval to land.</p>
      ) : null}
      {s.approved_at ? (
        <p>Approved by {s.approved_by}.</p>
      ) : (
        <form method="post" action={`${here}/approve`}>
          <CsrfField token={csrf} />
          <button type="submit">Approve for landing</button>
        </form>
      )}
      <form method="post" action={`${here}/reject`}>
        <CsrfField token={csrf} />
        <label for="reject-reason">Reason for rejecting (optional)</label>
        <input id="reject-reason" name="reason" maxlength={500} />
        <button type="submit" class="danger">
          Reject
        </button>
      </form>
    </section>
  );
}
