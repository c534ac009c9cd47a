// The project settings' agents' circuit breaker card: whether agents are paused (by whom,
// why, since when) and the button that pauses or resumes them (project administrators); and
// the noise page (/{owner}/{project}/settings/agents/noise): each noise metric's current
// value next to the threshold at which the breaker trips, set there by administrators.
import type { Context } from "hono";
import { Hono } from "hono";
import { TimeAgo } from "../browse/browse-views.tsx";
import type { AppEnv } from "../http/context.ts";
import { getProject, type ProjectWithOwner } from "../projects/projects-service.ts";
import { projectBase, projectPage } from "../sessions/session-views.tsx";
import { Alert, CsrfField } from "../web/layout.tsx";
import { formFailure, formFields } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import { pauseAgentsAs, resumeAgentsAs } from "./circuit-breaker.ts";
import { METRIC_INFO, noiseView, SETTABLE, setNoiseAs } from "./noise.ts";

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
        review minutes a week, the queue's capacity and what contributions cost to review.{" "}
        <a href={`${base}/noise`}>Noise metrics</a>: when the breaker pauses agents by itself.
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

async function noisePage(
  c: Context<AppEnv>,
  failure?: { status: 400 | 403 | 404 | 409 | 413 | 415 | 429; message: string },
) {
  const db = c.get("forge").db;
  const [owner, project] = [c.req.param("owner")!, c.req.param("project")!];
  const { project: p, role } = await getProject(db, c.get("viewer"), owner, project);
  const admin = role === "admin";
  const noise = await noiseView(db, p);
  const action = `${projectBase(p)}/settings/agents/noise`;
  if (failure) c.status(failure.status);
  return projectPage(
    c,
    p,
    "Noise metrics",
    "sessions",
    <>
      <h2>Noise metrics</h2>
      <p class="hint">
        The circuit breaker pauses agents' contributions by itself when one of these counts, across all
        agents, reaches its threshold (empty: off); a maintainer resumes them from the{" "}
        <a href={`${projectBase(p)}/settings`}>settings</a>. The project's administrators are mailed when it
        trips. <a href="/docs/trust#noise-metrics">How it works</a>
      </p>
      {c.req.query("saved") ? <p class="notice">Saved.</p> : null}
      {failure ? <Alert message={failure.message} /> : null}
      {noise.paused ? (
        <p class="notice" id="noise-paused">
          Agents are paused by {noise.paused.by ?? "a maintainer"}
          {noise.paused.reason ? <>: {noise.paused.reason}</> : null}.
        </p>
      ) : null}
      <form method="post" action={action} class="card">
        <CsrfField token={csrf(c)} />
        <table class="noise-metrics">
          <thead>
            <tr>
              <th scope="col">Metric</th>
              <th scope="col">Now</th>
              <th scope="col">Threshold</th>
            </tr>
          </thead>
          <tbody>
            {noise.metrics.map((m) => {
              const settable = (SETTABLE as readonly string[]).includes(m.metric);
              const over = m.threshold !== null && m.value >= m.threshold;
              return (
                <tr id={`noise-${m.metric}`} class={over ? "over" : undefined}>
                  <td>
                    {settable && admin ? <label for={`t-${m.metric}`}>{m.label}</label> : m.label}
                    {m.metric === "cascade_percent" ? (
                      <span class="hint">
                        {" "}
                        ({m.sessions} sessions; counted from {m.min_sessions})
                      </span>
                    ) : null}
                  </td>
                  <td>
                    {m.value}
                    {m.metric === "cascade_percent" ? "%" : ""}
                  </td>
                  <td>
                    {settable && admin ? (
                      <input
                        id={`t-${m.metric}`}
                        name={m.metric}
                        type="number"
                        min={1}
                        max={METRIC_INFO[m.metric].max}
                        value={m.threshold === null ? "" : String(m.threshold)}
                      />
                    ) : (
                      <>
                        {m.threshold ?? "off"}
                        {m.metric === "validation_failures_per_hour" && admin ? (
                          <>
                            {" "}
                            (<a href={`${projectBase(p)}/settings#circuit_max_failures`}>settings</a>)
                          </>
                        ) : null}
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {admin ? (
          <button type="submit">Save thresholds</button>
        ) : (
          <p class="hint">The project's administrators set these thresholds.</p>
        )}
      </form>
      {noise.last_trip ? (
        <p id="noise-last-trip">
          Last tripped {noise.last_trip.at ? <TimeAgo date={new Date(noise.last_trip.at)} /> : null}:{" "}
          {noise.last_trip.reason}.
        </p>
      ) : null}
    </>,
  );
}

const csrf = (c: Context<AppEnv>) => c.get("csrfToken");

circuitPages.get("/:owner/:project/settings/agents/noise", (c) => noisePage(c));

circuitPages.post("/:owner/:project/settings/agents/noise", async (c) => {
  const f = await formFields(c);
  const input = Object.fromEntries(
    SETTABLE.map((k) => [k, f[k]?.trim() ? Number(f[k]) : null] as const).filter(([k]) => k in f),
  );
  const [owner, project] = [c.req.param("owner"), c.req.param("project")];
  try {
    await setNoiseAs(c.get("forge").db, c.get("viewer"), owner, project, input);
  } catch (err) {
    const { status, message } = formFailure(err);
    return noisePage(c, { status, message });
  }
  return c.redirect(`/${owner}/${project}/settings/agents/noise?saved=1`, 303);
});
