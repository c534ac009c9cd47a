// The project settings' agents' circuit breaker card: whether agents are paused (by whom,
// why, since when) and the button that pauses or resumes them (project administrators).
import { Hono } from "hono";
import { TimeAgo } from "../browse/browse-views.tsx";
import type { AppEnv } from "../http/context.ts";
import type { ProjectWithOwner } from "../projects/projects-service.ts";
import { CsrfField } from "../web/layout.tsx";
import { formFields } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import { pauseAgentsAs, resumeAgentsAs } from "./circuit-breaker.ts";

export const circuitPages = new Hono<AppEnv>();
circuitPages.use("/:owner/:project/settings/agents/*", requireSignedIn);

circuitPages.post("/:owner/:project/settings/agents/pause", async (c) => {
  const [owner, project] = [c.req.param("owner"), c.req.param("project")];
  const { reason } = await formFields(c);
  await pauseAgentsAs(c.get("forge").db, c.get("viewer"), owner, project, { reason });
  return c.redirect(`/${owner}/${project}/settings`, 303);
});

circuitPages.post("/:owner/:project/settings/agents/resume", async (c) => {
  const [owner, project] = [c.req.param("owner"), c.req.param("project")];
  await resumeAgentsAs(c.get("forge").db, c.get("viewer"), owner, project);
  return c.redirect(`/${owner}/${project}/settings`, 303);
});

export function CircuitCard({ p, csrf }: { p: ProjectWithOwner; csrf: string }) {
  const base = `/${p.owner_handle}/${p.handle}/settings/agents`;
  return (
    <section class="card" aria-labelledby="circuit-title">
      <h2 id="circuit-title">Agents' contributions: {p.agents_paused_at ? "paused" : "running"}</h2>
      <p>
        <a href={`/${p.owner_handle}/${p.handle}/settings/agent-policy`}>Agent policy</a>: tiers, quotas,
        backoff, near-duplicates, human checkpoints and vouched agents.{" "}
        <a href={`/${p.owner_handle}/${p.handle}/settings/review-budget`}>Review budget</a>: the maintainers'
        review minutes a week, the queue's capacity and what contributions cost to review.
      </p>
      {p.agents_paused_at ? (
        <>
          <p>
            Paused by {p.agents_paused_by ?? "a maintainer"} <TimeAgo date={p.agents_paused_at} />
            {p.agents_paused_reason ? <>: {p.agents_paused_reason}</> : null}. Agents' sessions can neither
            open nor land until you resume them.
          </p>
          <form method="post" action={`${base}/resume`}>
            <CsrfField token={csrf} />
            <button type="submit">Resume agents</button>
          </form>
        </>
      ) : (
        <form method="post" action={`${base}/pause`}>
          <CsrfField token={csrf} />
          <p class="hint">
            Pausing stops agents' sessions from opening or landing (people's sessions go on).
            {p.circuit_max_failures
              ? ` The breaker pauses them by itself after ${p.circuit_max_failures} failed validations of agents' sessions in an hour.`
              : ""}
          </p>
          <label for="pause-reason">Reason (optional)</label>
          <input id="pause-reason" name="reason" maxlength={500} />
          <button type="submit" class="danger">
            Pause agents
          </button>
        </form>
      )}
    </section>
  );
}
