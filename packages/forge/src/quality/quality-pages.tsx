// The quality dashboard's pages: a project's (/{owner}/{project}/quality, a tab of the
// project) and the instance's (/quality, over every project the viewer may read). Charts are
// SVG drawn here (quality-charts.tsx), every number is also in a table, and the same report is
// a link away as JSON and CSV.
import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";
import { projectPage } from "../sessions/session-views.tsx";
import { Layout } from "../web/layout.tsx";
import { meta } from "../web/page.ts";
import { THRESHOLDS } from "./quality-alerts.ts";
import { LineChart, StackedBars } from "./quality-charts.tsx";
import { DEFAULT_WEEKS, MAX_WEEKS } from "./quality-report.ts";
import { instanceQuality, projectQuality, type QualityReportJson } from "./quality-service.ts";

export const qualityPages = new Hono<AppEnv>();

const weeksOf = (v: string | undefined) => {
  const n = Number.parseInt(v ?? "", 10);
  return Number.isFinite(n) ? n : undefined;
};

qualityPages.get("/quality", async (c) => {
  const report = await instanceQuality(c.get("forge").db, c.get("viewer"), {
    weeks: weeksOf(c.req.query("weeks")),
  });
  c.header("Cache-Control", "private, no-cache");
  return c.html(
    <Layout {...meta(c, "Quality", "AI and human contributions across the projects you can see")}>
      <h1>Quality</h1>
      <p class="hint">
        People's and agents' contributions across the projects you can see (public projects, and private ones
        you may read), week by week. Each project has its own dashboard under its Quality tab; agents' records
        are on <a href="/agents">Agents</a>.
      </p>
      <Dashboard r={report} path="/quality" api="/api/v1/quality" />
    </Layout>,
  );
});

qualityPages.get("/:owner/:project/quality", async (c) => {
  const { project, report } = await projectQuality(
    c.get("forge").db,
    c.get("viewer"),
    c.req.param("owner"),
    c.req.param("project"),
    { weeks: weeksOf(c.req.query("weeks")) },
  );
  const base = `/${project.owner_handle}/${project.handle}`;
  c.header("Cache-Control", "private, no-cache");
  return projectPage(
    c,
    project,
    "Quality",
    "quality",
    <>
      <h2>Quality</h2>
      <p class="hint">
        People's and agents' sessions in this project, week by week: how much comes from agents, how much of
        it lands, how long reviews take, how validation goes, and what each model and agent costs. Across
        every project you can see: <a href="/quality">Quality</a>.
      </p>
      <Dashboard r={report} path={`${base}/quality`} api={`/api/v1/projects${base}/quality`} />
    </>,
  );
});

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const day = (iso: string) => {
  const d = new Date(iso);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
};
/** The last day of a period given by its exclusive end. */
const lastDay = (iso: string) => day(new Date(new Date(iso).getTime() - 1).toISOString());
const pct = (v: unknown) => (typeof v === "number" ? `${Math.round(v * 1000) / 10}%` : "–");
const num = (v: unknown) => (typeof v === "number" ? String(v) : "–");
const col = (r: QualityReportJson, name: string) =>
  r.series.map((row) => {
    const v = (row as Record<string, unknown>)[name];
    return typeof v === "number" ? v : null;
  });

function Dashboard({ r, path, api }: { r: QualityReportJson; path: string; api: string }) {
  const weeks = r.window.weeks;
  const q = weeks === DEFAULT_WEEKS ? "" : `weeks=${weeks}`;
  const labels = r.series.map((s) => day(String(s.week_start)));
  const t = r.totals;
  const empty =
    t.human.opened + t.ai.opened + t.human.landed + t.ai.landed + t.human.rejected + t.ai.rejected === 0;
  return (
    <>
      <form method="get" action={path} class="inline-form">
        <label for="quality-weeks">Window</label>{" "}
        <select id="quality-weeks" name="weeks">
          {[...new Set([4, 8, 12, 26, MAX_WEEKS, weeks])]
            .sort((a, b) => a - b)
            .map((w) => (
              <option value={String(w)} selected={w === weeks}>
                {w} weeks
              </option>
            ))}
        </select>{" "}
        <button type="submit">Show</button>
      </form>
      <p>
        Download the numbers: <a href={`${api}?${q ? `${q}&` : ""}format=csv`}>CSV</a> ·{" "}
        <a href={`${api}${q ? `?${q}` : ""}`}>JSON</a>
        {r.truncated ? " (only the newest sessions and runs are counted)" : ""}
      </p>
      <Alerts r={r} />
      {empty ? (
        <p class="empty">
          No sessions opened or closed in the last {weeks} weeks here yet. The dashboard fills in as people
          and agents open sessions (<code>mic session start "goal"</code>, or{" "}
          <code>POST /api/v1/projects/OWNER/PROJECT/sessions</code>) and they land, are rejected or abandoned;
          agents' sessions are those opened with an <code>agent</code>.
        </p>
      ) : (
        <>
          <Summary r={r} />
          <section class="card" aria-labelledby="quality-charts-title">
            <h3 id="quality-charts-title">Over time</h3>
            <StackedBars
              id="chart-opened"
              title="Sessions opened per week, people and agents"
              desc={`Sessions opened each week: people ${col(r, "human_opened").join(", ")}; agents ${col(r, "ai_opened").join(", ")}.`}
              labels={labels}
              yLabel="sessions"
              bars={[
                { name: "people", values: col(r, "human_opened") },
                { name: "agents", values: col(r, "ai_opened") },
              ]}
            />
            <LineChart
              id="chart-rejection"
              title="Rejection rate per week (rejected of landed and rejected)"
              desc="The share of decided sessions that were rejected, for people and for agents."
              labels={labels}
              yLabel="rejected"
              empty="No session landed or was rejected"
              percent
              lines={[
                { name: "people", values: col(r, "human_rejection_rate") },
                { name: "agents", values: col(r, "ai_rejection_rate") },
              ]}
            />
            <LineChart
              id="chart-review"
              title="Mean review time per week, in hours"
              desc="Hours from ready for review (or opened) to a person's approval or rejection."
              labels={labels}
              yLabel="hours"
              empty="No reviews"
              lines={[
                { name: "people", values: col(r, "human_review_hours") },
                { name: "agents", values: col(r, "ai_review_hours") },
              ]}
            />
            <LineChart
              id="chart-validation"
              title="Validation pass rate per week"
              desc="The share of finished validation runs (passed or failed) that passed."
              labels={labels}
              yLabel="passed"
              empty="No validation runs"
              percent
              lines={[
                { name: "people", values: col(r, "human_validation_pass_rate") },
                { name: "agents", values: col(r, "ai_validation_pass_rate") },
              ]}
            />
            <LineChart
              id="chart-tokens"
              title="Agents' tokens per landed line, per week"
              desc="Tokens spent by agents' sessions closed that week, per line they landed."
              labels={labels}
              yLabel="tokens per line"
              empty="Nothing landed by agents"
              lines={[{ name: "agents", values: col(r, "ai_tokens_per_landed_line") }]}
            />
          </section>
          <WeeklyTable r={r} labels={labels} />
          <Models r={r} />
          <Agents r={r} />
          {"by_project" in r && r.by_project ? <Projects rows={r.by_project} /> : null}
        </>
      )}
      <HowItIsComputed />
    </>
  );
}

function Alerts({ r }: { r: QualityReportJson }) {
  return (
    <section class="card" aria-labelledby="quality-alerts-title">
      <h3 id="quality-alerts-title">Alerts</h3>
      {r.alerts.length ? (
        <ul class="quality-alerts">
          {r.alerts.map((a) => (
            <li>
              <strong>{a.kind}</strong>: {a.message}{" "}
              {a.agent ? (
                <>
                  (the last 30 days against the 30 before;{" "}
                  <a href={`/agents/${encodeURIComponent(a.agent)}`}>its record</a>).
                </>
              ) : (
                `(${day(String(a.recent.from))} – ${lastDay(String(a.recent.to))} against ${day(String(a.previous.from))} – ${lastDay(String(a.previous.to))}).`
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p>
          None: agents' contributions are not getting worse over the last weeks (or there is too little to
          compare yet).
        </p>
      )}
    </section>
  );
}

function Summary({ r }: { r: QualityReportJson }) {
  const { human: h, ai: a } = r.totals;
  return (
    <section class="card" aria-labelledby="quality-summary-title">
      <h3 id="quality-summary-title">The last {r.window.weeks} weeks</h3>
      <div class="table-scroll">
        <table class="table quality-table">
          <thead>
            <tr>
              <th scope="col" />
              <th scope="col">People</th>
              <th scope="col">Agents</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">Sessions opened</th>
              <td>{h.opened}</td>
              <td>
                {a.opened} ({pct(r.totals.ai_share)})
              </td>
            </tr>
            <tr>
              <th scope="row">Landed / rejected / abandoned</th>
              <td>
                {h.landed} / {h.rejected} / {h.abandoned}
              </td>
              <td>
                {a.landed} / {a.rejected} / {a.abandoned}
              </td>
            </tr>
            <tr>
              <th scope="row">Rejection rate</th>
              <td>{pct(h.rejection_rate)}</td>
              <td>{pct(a.rejection_rate)}</td>
            </tr>
            <tr>
              <th scope="row">Review time (mean / median, hours)</th>
              <td>
                {num(h.review_hours)} / {num(h.review_hours_median)}
              </td>
              <td>
                {num(a.review_hours)} / {num(a.review_hours_median)}
              </td>
            </tr>
            <tr>
              <th scope="row">Validation pass rate (mean score)</th>
              <td>
                {pct(h.validation_pass_rate)} ({num(h.validation_score)})
              </td>
              <td>
                {pct(a.validation_pass_rate)} ({num(a.validation_score)})
              </td>
            </tr>
            <tr>
              <th scope="row">Slop</th>
              <td>{h.slop}</td>
              <td>{a.slop}</td>
            </tr>
            <tr>
              <th scope="row">Tokens per landed line</th>
              <td>{num(h.tokens_per_landed_line)}</td>
              <td>{num(a.tokens_per_landed_line)}</td>
            </tr>
          </tbody>
        </table>
      </div>
    </section>
  );
}

function WeeklyTable({ r, labels }: { r: QualityReportJson; labels: string[] }) {
  return (
    <section class="card" aria-labelledby="quality-weeks-title">
      <h3 id="quality-weeks-title">Week by week</h3>
      <div class="table-scroll">
        <table class="table quality-table">
          <thead>
            <tr>
              <th scope="col">Week of</th>
              <th scope="col">Opened (people / agents)</th>
              <th scope="col">Agents' share</th>
              <th scope="col">Rejected (people / agents)</th>
              <th scope="col">Review hours (people / agents)</th>
              <th scope="col">Validation passed (people / agents)</th>
              <th scope="col">Agents' score</th>
              <th scope="col">Agents' slop</th>
              <th scope="col">Agents' tokens per landed line</th>
            </tr>
          </thead>
          <tbody>
            {r.series.map((s, i) => (
              <tr>
                <th scope="row">{labels[i]}</th>
                <td>
                  {num(s.human_opened)} / {num(s.ai_opened)}
                </td>
                <td>{pct(s.ai_share)}</td>
                <td>
                  {pct(s.human_rejection_rate)} / {pct(s.ai_rejection_rate)}
                </td>
                <td>
                  {num(s.human_review_hours)} / {num(s.ai_review_hours)}
                </td>
                <td>
                  {pct(s.human_validation_pass_rate)} / {pct(s.ai_validation_pass_rate)}
                </td>
                <td>{num(s.ai_validation_score)}</td>
                <td>{num(s.ai_slop)}</td>
                <td>{num(s.ai_tokens_per_landed_line)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Models({ r }: { r: QualityReportJson }) {
  return (
    <section class="card" aria-labelledby="quality-models-title">
      <h3 id="quality-models-title">By model</h3>
      {r.by_model.length ? (
        <div class="table-scroll">
          <table class="table quality-table">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Opened</th>
                <th scope="col">Landed</th>
                <th scope="col">Rejected</th>
                <th scope="col">Rejection rate</th>
                <th scope="col">Review hours</th>
                <th scope="col">Validation passed</th>
                <th scope="col">Score</th>
                <th scope="col">Slop</th>
                <th scope="col">Tokens per landed line</th>
              </tr>
            </thead>
            <tbody>
              {r.by_model.map((m) => (
                <tr>
                  <th scope="row">
                    <code>{m.model}</code>
                  </th>
                  <td>{m.opened}</td>
                  <td>{m.landed}</td>
                  <td>{m.rejected}</td>
                  <td>{pct(m.rejection_rate)}</td>
                  <td>{num(m.review_hours)}</td>
                  <td>{pct(m.validation_pass_rate)}</td>
                  <td>{num(m.validation_score)}</td>
                  <td>{m.slop}</td>
                  <td>{num(m.tokens_per_landed_line)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="empty">No agents' sessions in this window: nothing to compare yet.</p>
      )}
    </section>
  );
}

function Agents({ r }: { r: QualityReportJson }) {
  return (
    <section class="card" aria-labelledby="quality-agents-title">
      <h3 id="quality-agents-title">Token efficiency by agent</h3>
      {r.by_agent.length ? (
        <div class="table-scroll">
          <table class="table quality-table">
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Sessions</th>
                <th scope="col">Landed</th>
                <th scope="col">Tokens per landed line</th>
                <th scope="col">Wasted tokens</th>
                <th scope="col">Restart loops</th>
                <th scope="col">Last 30 days / 30 before</th>
              </tr>
            </thead>
            <tbody>
              {r.by_agent.map((a) => (
                <tr>
                  <th scope="row">
                    <a href={`/agents/${encodeURIComponent(a.agent)}`}>{a.agent}</a>
                  </th>
                  <td>{a.sessions}</td>
                  <td>{a.landed}</td>
                  <td>{num(a.tokens_per_landed_line)}</td>
                  <td>{a.wasted_tokens}</td>
                  <td>{a.restart_loops.length}</td>
                  <td>
                    {num(a.trend.last_30_days)} / {num(a.trend.previous_30_days)}
                    {a.trend.degrading ? <strong> degrading</strong> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="empty">No named agent has worked here in this window.</p>
      )}
    </section>
  );
}

function Projects({ rows }: { rows: NonNullable<QualityReportJson["by_project"]> }) {
  return (
    <section class="card" aria-labelledby="quality-projects-title">
      <h3 id="quality-projects-title">By project</h3>
      <div class="table-scroll">
        <table class="table quality-table">
          <thead>
            <tr>
              <th scope="col">Project</th>
              <th scope="col">Opened</th>
              <th scope="col">Agents' share</th>
              <th scope="col">Rejected (people / agents)</th>
              <th scope="col">Agents' review hours</th>
              <th scope="col">Agents' slop</th>
              <th scope="col">Alerts</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr>
                <th scope="row">
                  <a href={`/${p.project}/quality`}>{p.project}</a>
                </th>
                <td>{p.opened}</td>
                <td>{pct(p.ai_share)}</td>
                <td>
                  {pct(p.human_rejection_rate)} / {pct(p.ai_rejection_rate)}
                </td>
                <td>{num(p.ai_review_hours)}</td>
                <td>{p.ai_slop}</td>
                <td>{p.alerts.length ? p.alerts.join(", ") : "none"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function HowItIsComputed() {
  const t = THRESHOLDS;
  return (
    <details class="card">
      <summary>How these numbers are computed</summary>
      <p>
        Agents' sessions are those opened with an <code>agent</code> or an origin other than human. Each week
        counts the sessions opened in it, those closed in it (landed, rejected, abandoned), the validation
        runs that finished in it. Rejection rate: rejected of landed and rejected. Review time: hours from
        ready for review (or opened) to a person's approval or rejection. Slop: rejected after passing
        validation, or refused as a near-duplicate.
      </p>
      <p>
        Alerts compare agents' last {t.period_weeks} weeks with the {t.period_weeks} before: rejection rate up{" "}
        {t.rejection_rise * 100} points (at least {t.min_decided} decided in each), validation pass rate down{" "}
        {t.pass_rate_drop * 100} points or mean score down {t.score_drop} (at least {t.min_runs} runs in
        each), agents' share up {t.ai_share_rise * 100} points while their reviews take {t.review_growth}× as
        long, slop up {t.slop_rise * 100} points (at least {t.min_slop} recently), and an agent's tokens per
        landed line {t.efficiency_degrading_ratio}× those of the 30 days before.
      </p>
    </details>
  );
}
