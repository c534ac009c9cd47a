// The review budget page (/{owner}/{project}/settings/review-budget): the maintainers' weekly
// review minutes (administrators set them; readers see them), the review queue's capacity, and
// the asymmetric cost accounting per week, agent and model. The batch review page
// (/{owner}/{project}/sessions/review-batch): the queue grouped by similarity with each
// change compact, and one form that approves (optionally lands) or rejects the selected
// sessions. Both post to the same services as the API, so every change is audited; the
// over-capacity banner is shared with the sessions and settings pages.
import type { Context } from "hono";
import { Hono } from "hono";
import { TimeAgo } from "../browse/browse-views.tsx";
import { DiffView } from "../browse/commit-views.tsx";
import type { Db } from "../db/db.ts";
import type { AppEnv } from "../http/context.ts";
import { getProject, type ProjectWithOwner } from "../projects/projects-service.ts";
import { AgentName, OriginBadge, projectBase, projectPage, sessionUrl } from "../sessions/session-views.tsx";
import { Alert, CsrfField } from "../web/layout.tsx";
import { formFailure, formFields, formList } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import { type BatchOutcome, decideBatch, reviewBatch } from "./review-batch.ts";
import {
  type BudgetReport,
  budgetReport,
  type Capacity,
  overCapacityNow,
  updateBudgetAs,
} from "./review-budget.ts";

export const reviewBudgetPages = new Hono<AppEnv>();
const BUDGET = "/:owner/:project/settings/review-budget";
const BATCH = "/:owner/:project/sessions/review-batch";

type Failure = { status: 400 | 403 | 404 | 409 | 413 | 415 | 429; message: string };

/** The banner over the review queue, session and settings pages while the queue is over capacity. */
export function CapacityBanner({ p, capacity }: { p: ProjectWithOwner; capacity: Capacity | null }) {
  if (!capacity?.over_capacity) return null;
  const base = projectBase(p);
  return (
    <div class="alert review-capacity" role="alert">
      <strong>The review queue is over capacity.</strong> {capacity.reasons.join("; ")}.{" "}
      <a href={`${base}/sessions/review-batch`}>Review similar sessions in a batch</a> ·{" "}
      <a href={`${base}/settings/review-budget`}>Review budget</a>
    </div>
  );
}

/** The same banner from the state last checked (no new check: cheap enough for every page). */
export async function OverCapacityBanner({ db, p }: { db: Db; p: ProjectWithOwner }) {
  const since = await overCapacityNow(db, p.id);
  if (!since) return null;
  const base = projectBase(p);
  return (
    <div class="alert review-capacity" role="alert">
      <strong>The review queue is over capacity</strong> (since <TimeAgo date={since} />
      ): it holds more estimated review minutes than this week's budget has left, or reviews come in faster
      than the budget allows. <a href={`${base}/sessions/review-batch`}>Review similar sessions in a batch</a>{" "}
      · <a href={`${base}/settings/review-budget`}>Review budget</a>
    </div>
  );
}

const n = (v: number | null) => (v === null ? "–" : String(v));

function CostTable<K extends "week" | "agent" | "model">(props: {
  title: string;
  k: K;
  rows: ({ [P in K]: string } & BudgetReport["accounting"]["total"])[];
}) {
  return (
    <section class="card" aria-label={props.title}>
      <h3>{props.title}</h3>
      {props.rows.length ? (
        <div class="table-wrap">
          <table class="cost-table">
            <thead>
              <tr>
                <th scope="col">{props.k}</th>
                <th scope="col">sessions</th>
                <th scope="col">generate (min)</th>
                <th scope="col">reviewed</th>
                <th scope="col">review elapsed (min)</th>
                <th scope="col">review spent (min)</th>
                <th scope="col">review / generate</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r) => (
                <tr>
                  <td>{r[props.k]}</td>
                  <td>{r.sessions}</td>
                  <td>{r.generate_minutes}</td>
                  <td>{r.reviewed}</td>
                  <td>{r.review_minutes}</td>
                  <td>{r.review_spent_minutes}</td>
                  <td>{n(r.review_per_generate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="empty">No submitted sessions in these weeks.</p>
      )}
    </section>
  );
}

async function renderBudget(c: Context<AppEnv>, failure?: Failure) {
  const db = c.get("forge").db;
  const [owner, project] = [c.req.param("owner")!, c.req.param("project")!];
  const { project: p, role } = await getProject(db, c.get("viewer"), owner, project);
  const admin = role === "admin";
  const r = await budgetReport(db, p);
  const cap = r.capacity;
  const base = projectBase(p);
  if (failure) c.status(failure.status);
  return projectPage(
    c,
    p,
    "Review budget",
    "sessions",
    <>
      <h2>Review budget</h2>
      <p class="hint">
        The minutes a week this project's maintainers give to reviewing contributions, what the review queue
        needs of them, and what each contribution cost to generate against what it cost to review.{" "}
        <a href="/docs/trust#maintainer-attention-budget">How each number is measured</a>
        {r.updated_by ? ` · last changed by ${r.updated_by}` : ""}
      </p>
      {c.req.query("saved") ? <p class="notice">Saved.</p> : null}
      {failure ? <Alert message={failure.message} /> : null}
      <CapacityBanner p={p} capacity={cap} />
      <form method="post" action={`${base}/settings/review-budget`} class="card">
        <CsrfField token={c.get("csrfToken")} />
        <label for="minutes_per_week">Review minutes per week (empty: no budget)</label>
        <input
          id="minutes_per_week"
          name="minutes_per_week"
          type="number"
          min="0"
          max="10080"
          step="1"
          value={r.minutes_per_week === null ? "" : String(r.minutes_per_week)}
          disabled={!admin}
        />
        <label for="base_minutes">Minutes to review any session (estimate)</label>
        <input
          id="base_minutes"
          name="base_minutes"
          type="number"
          min="0"
          max="600"
          step="0.1"
          value={String(r.base_minutes)}
          disabled={!admin}
        />
        <label for="lines_per_minute">Changed lines reviewed per minute (estimate)</label>
        <input
          id="lines_per_minute"
          name="lines_per_minute"
          type="number"
          min="0.1"
          step="0.1"
          value={String(r.lines_per_minute)}
          disabled={!admin}
        />
        {admin ? (
          <p>
            <button type="submit">Save budget</button>
          </p>
        ) : (
          <p class="hint">The project's administrators set the budget.</p>
        )}
      </form>
      <section class="card" aria-labelledby="capacity-title">
        <h3 id="capacity-title">This week</h3>
        <dl class="session-facts">
          <dt>Budget</dt>
          <dd>{r.minutes_per_week === null ? "none set" : `${r.minutes_per_week} min`}</dd>
          <dt>Spent since Monday</dt>
          <dd>{cap.spent_this_week} min</dd>
          <dt>Left</dt>
          <dd>{cap.remaining_minutes === null ? "–" : `${cap.remaining_minutes} min`}</dd>
          <dt>Review queue</dt>
          <dd>
            <a href={`${base}/sessions?review=ready`}>
              {cap.queue_sessions} session{cap.queue_sessions === 1 ? "" : "s"}
            </a>
            , about {cap.queue_minutes} min · <a href={`${base}/sessions/review-batch`}>batch review</a>
          </dd>
          <dt>Coming in</dt>
          <dd>
            {cap.incoming_sessions_last_7_days} in the last 7 days, about {cap.incoming_minutes_per_week} min
            of review
          </dd>
        </dl>
      </section>
      <h3>Cost accounting (last {r.accounting.weeks} weeks)</h3>
      <p class="hint">
        Generated: {r.accounting.total.generate_minutes} min over {r.accounting.total.sessions} submitted
        sessions; reviewed by a person: {r.accounting.total.reviewed},{" "}
        {r.accounting.total.review_spent_minutes} min of attention (
        {n(r.accounting.total.review_per_generate)} min of review per minute of generation).
      </p>
      <CostTable title="By week (Monday, UTC)" k="week" rows={r.accounting.by_week} />
      <CostTable title="By agent" k="agent" rows={r.accounting.by_agent} />
      <CostTable title="By model" k="model" rows={r.accounting.by_model} />
    </>,
  );
}

reviewBudgetPages.get(BUDGET, (c) => renderBudget(c));

const numberOrNull = (v: string | undefined) => (v === undefined || v.trim() === "" ? null : Number(v));

reviewBudgetPages.post(BUDGET, requireSignedIn, async (c) => {
  const f = await formFields(c);
  const [owner, project] = [c.req.param("owner"), c.req.param("project")];
  try {
    await updateBudgetAs(c.get("forge").db, c.get("viewer"), owner, project, {
      minutes_per_week: numberOrNull(f.minutes_per_week),
      ...(f.base_minutes?.trim() ? { base_minutes: Number(f.base_minutes) } : {}),
      ...(f.lines_per_minute?.trim() ? { lines_per_minute: Number(f.lines_per_minute) } : {}),
    });
  } catch (err) {
    return renderBudget(c, formFailure(err));
  }
  return c.redirect(`/${owner}/${project}/settings/review-budget?saved=1`, 303);
});

function Outcomes({ p, results }: { p: ProjectWithOwner; results: BatchOutcome[] }) {
  return (
    <section class="notice" role="status" aria-label="Batch results">
      <p>
        {results.filter((r) => r.ok).length} decided, {results.filter((r) => !r.ok).length} not.
      </p>
      <ul>
        {results.map((r) => (
          <li>
            <a href={sessionUrl(p, r.id)}>
              <code>{r.id.slice(-8)}</code>
            </a>
            : {r.ok ? r.status : `not done: ${r.error?.detail ?? "failed"}`}
            {r.landed_position ? ` at position ${r.landed_position}` : ""}
          </li>
        ))}
      </ul>
    </section>
  );
}

async function renderBatch(c: Context<AppEnv>, extra: { failure?: Failure; results?: BatchOutcome[] } = {}) {
  const forge = c.get("forge");
  const [owner, project] = [c.req.param("owner")!, c.req.param("project")!];
  const batch = await reviewBatch(forge, c.get("viewer"), owner, project);
  const { project: p, repo } = batch;
  const admin = batch.role === "admin";
  const base = projectBase(p);
  if (extra.failure) c.status(extra.failure.status);
  const count = batch.groups.reduce((a, g) => a + g.sessions.length, 0);
  return projectPage(
    c,
    p,
    "Batch review",
    "sessions",
    <>
      <h2>Batch review</h2>
      <p class="hint">
        {count} session{count === 1 ? "" : "s"} wait for review, in {batch.groups.length} group
        {batch.groups.length === 1 ? "" : "s"} of similar work (same agent and goal or directories, or
        near-duplicate changes). <a href={`${base}/sessions?review=ready`}>The queue as a list</a> ·{" "}
        <a href={`${base}/settings/review-budget`}>Review budget</a>
      </p>
      {extra.failure ? <Alert message={extra.failure.message} /> : null}
      {extra.results ? <Outcomes p={p} results={extra.results} /> : null}
      <CapacityBanner p={p} capacity={batch.capacity} />
      {batch.groups.length === 0 ? <p class="empty">Nothing waits for review.</p> : null}
      <form method="post" action={`${base}/sessions/review-batch`} class="review-batch">
        <CsrfField token={c.get("csrfToken")} />
        {batch.groups.map((g) => (
          <fieldset class="card review-group">
            <legend>
              {g.label} · {g.sessions.length} session{g.sessions.length === 1 ? "" : "s"}, about{" "}
              {g.estimate_minutes} min
            </legend>
            {g.reasons.length ? <p class="hint">Grouped: {g.reasons.join(", ")}</p> : null}
            {g.sessions.map((m) => (
              <div class="review-item">
                <p>
                  {admin ? (
                    <input
                      type="checkbox"
                      name="session"
                      value={m.session.id}
                      id={`pick-${m.session.id}`}
                      checked
                    />
                  ) : null}{" "}
                  <label for={`pick-${m.session.id}`} class="inline">
                    <a href={sessionUrl(p, m.session.id)}>{m.session.goal}</a>
                  </label>{" "}
                  <OriginBadge origin={m.session.origin} />{" "}
                  <AgentName name={m.session.agent_name} model={m.session.agent_model} /> by{" "}
                  {m.session.author_handle} · +{m.session.lines_added} −{m.session.lines_removed} · about{" "}
                  {m.estimate} min
                </p>
                {m.change && repo ? (
                  <details>
                    <summary>
                      {m.paths.slice(0, 5).join(", ")}
                      {m.paths.length > 5 ? ` and ${m.paths.length - 5} more` : ""}
                    </summary>
                    <DiffView
                      repo={repo}
                      commit={m.change.commit}
                      files={m.change.files}
                      patches={m.change.patches}
                      truncated={m.change.truncated}
                    />
                  </details>
                ) : null}
              </div>
            ))}
          </fieldset>
        ))}
        {admin && batch.groups.length ? (
          <section class="card">
            <label for="batch-reason">Reason for rejecting (optional)</label>
            <input id="batch-reason" name="reason" maxlength={500} />
            <label>
              <input type="checkbox" name="land" value="1" /> Land the approved sessions too
            </label>
            <p>
              <button type="submit" name="decision" value="approve">
                Approve selected
              </button>{" "}
              <button type="submit" name="decision" value="reject" class="danger">
                Reject selected
              </button>
            </p>
          </section>
        ) : !admin && batch.groups.length ? (
          <p class="hint">The project's administrators approve or reject these sessions.</p>
        ) : null}
      </form>
    </>,
  );
}

reviewBudgetPages.get(BATCH, (c) => renderBatch(c));

reviewBudgetPages.post(BATCH, requireSignedIn, async (c) => {
  const [owner, project] = [c.req.param("owner"), c.req.param("project")];
  const sessions = await formList(c, "session");
  const f = await formFields(c);
  try {
    const done = await decideBatch(c.get("forge"), c.get("viewer"), owner, project, {
      sessions,
      decision: f.decision,
      ...(f.reason?.trim() ? { reason: f.reason } : {}),
      land: f.land === "1",
    });
    return renderBatch(c, { results: done.results });
  } catch (err) {
    const failure = formFailure(err);
    return renderBatch(c, {
      failure: {
        ...failure,
        message: sessions.length ? failure.message : "Select at least one session",
      },
    });
  }
});
