// The quality dashboard's pages: a project's (/{owner}/{project}/quality, a tab of the
// project) and the instance's (/quality, over every project the viewer may read). Charts are
// SVG drawn here (quality-charts.tsx), every number is also in a table, and the same report is
// a link away as JSON and CSV.
import { Hono } from "hono";
import type { Child } from "hono/jsx";
import type { AppEnv } from "../http/context.ts";
import { projectPage } from "../sessions/session-views.tsx";
import { Layout } from "../web/layout.tsx";
import { meta } from "../web/page.ts";
import { THRESHOLDS } from "./quality-alerts.ts";
import { LineChart, StackedBars } from "./quality-charts.tsx";
import { DEFAULT_WEEKS, MAX_WEEKS } from "./quality-report.ts";
import { instanceQuality, projectQuality, type QualityReportJson } from "./quality-service.ts";
import { QualityTable } from "./quality-table.tsx";

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
            {COMPARED.map((m) => (
              <LineChart
                id={m.id}
                title={m.title}
                desc={m.desc}
                labels={labels}
                yLabel={m.yLabel}
                empty={m.empty}
                percent={m.percent}
                lines={[
                  { name: "people", values: col(r, `human_${m.field}`) },
                  { name: "agents", values: col(r, `ai_${m.field}`) },
                ]}
              />
            ))}
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

/** The charts that compare people and agents on one weekly figure (`human_…` and `ai_…`). */
const COMPARED = [
  {
    id: "chart-rejection",
    title: "Rejection rate per week (rejected of landed and rejected)",
    desc: "The share of decided sessions that were rejected, for people and for agents.",
    yLabel: "rejected",
    empty: "No session landed or was rejected",
    percent: true,
    field: "rejection_rate",
  },
  {
    id: "chart-review",
    title: "Mean review time per week, in hours",
    desc: "Hours from ready for review (or opened) to a person's approval or rejection.",
    yLabel: "hours",
    empty: "No reviews",
    percent: false,
    field: "review_hours",
  },
  {
    id: "chart-validation",
    title: "Validation pass rate per week",
    desc: "The share of finished validation runs (passed or failed) that passed.",
    yLabel: "passed",
    empty: "No validation runs",
    percent: true,
    field: "validation_pass_rate",
  },
];

type Totals = QualityReportJson["totals"]["human"];

function Summary({ r }: { r: QualityReportJson }) {
  const { human: h, ai: a } = r.totals;
  const rows: { label: string; cell: (t: Totals, isAi: boolean) => Child }[] = [
    {
      label: "Sessions opened",
      cell: (t, ai) => (ai ? `${t.opened} (${pct(r.totals.ai_share)})` : t.opened),
    },
    { label: "Landed / rejected / abandoned", cell: (t) => `${t.landed} / ${t.rejected} / ${t.abandoned}` },
    { label: "Rejection rate", cell: (t) => pct(t.rejection_rate) },
    {
      label: "Review time (mean / median, hours)",
      cell: (t) => `${num(t.review_hours)} / ${num(t.review_hours_median)}`,
    },
    {
      label: "Validation pass rate (mean score)",
      cell: (t) => `${pct(t.validation_pass_rate)} (${num(t.validation_score)})`,
    },
    { label: "Slop", cell: (t) => t.slop },
    { label: "Tokens per landed line", cell: (t) => num(t.tokens_per_landed_line) },
  ];
  return (
    <QualityTable
      id="quality-summary-title"
      title={`The last ${r.window.weeks} weeks`}
      first={{ head: "", cell: (row) => row.label }}
      columns={[
        { head: "People", cell: (row) => row.cell(h, false) },
        { head: "Agents", cell: (row) => row.cell(a, true) },
      ]}
      rows={rows}
    />
  );
}

function WeeklyTable({ r, labels }: { r: QualityReportJson; labels: string[] }) {
  type Week = QualityReportJson["series"][number];
  const pair = (f: (v: unknown) => string, name: string) => (s: Week) =>
    `${f(s[`human_${name}` as keyof Week])} / ${f(s[`ai_${name}` as keyof Week])}`;
  return (
    <QualityTable
      id="quality-weeks-title"
      title="Week by week"
      first={{ head: "Week of", cell: (_s, i) => labels[i] }}
      columns={[
        { head: "Opened (people / agents)", cell: pair(num, "opened") },
        { head: "Agents' share", cell: (s) => pct(s.ai_share) },
        { head: "Rejected (people / agents)", cell: pair(pct, "rejection_rate") },
        { head: "Review hours (people / agents)", cell: pair(num, "review_hours") },
        { head: "Validation passed (people / agents)", cell: pair(pct, "validation_pass_rate") },
        { head: "Agents' score", cell: (s) => num(s.ai_validation_score) },
        { head: "Agents' slop", cell: (s) => num(s.ai_slop) },
        { head: "Agents' tokens per landed line", cell: (s) => num(s.ai_tokens_per_landed_line) },
      ]}
      rows={r.series}
    />
  );
}

function Models({ r }: { r: QualityReportJson }) {
  return (
    <QualityTable
      id="quality-models-title"
      title="By model"
      empty="No agents' sessions in this window: nothing to compare yet."
      first={{ head: "Model", cell: (m) => <code>{m.model}</code> }}
      columns={[
        { head: "Opened", cell: (m) => m.opened },
        { head: "Landed", cell: (m) => m.landed },
        { head: "Rejected", cell: (m) => m.rejected },
        { head: "Rejection rate", cell: (m) => pct(m.rejection_rate) },
        { head: "Review hours", cell: (m) => num(m.review_hours) },
        { head: "Validation passed", cell: (m) => pct(m.validation_pass_rate) },
        { head: "Score", cell: (m) => num(m.validation_score) },
        { head: "Slop", cell: (m) => m.slop },
        { head: "Tokens per landed line", cell: (m) => num(m.tokens_per_landed_line) },
      ]}
      rows={r.by_model}
    />
  );
}

function Agents({ r }: { r: QualityReportJson }) {
  return (
    <QualityTable
      id="quality-agents-title"
      title="Token efficiency by agent"
      empty="No named agent has worked here in this window."
      first={{ head: "Agent", cell: (a) => <a href={`/agents/${encodeURIComponent(a.agent)}`}>{a.agent}</a> }}
      columns={[
        { head: "Sessions", cell: (a) => a.sessions },
        { head: "Landed", cell: (a) => a.landed },
        { head: "Tokens per landed line", cell: (a) => num(a.tokens_per_landed_line) },
        { head: "Wasted tokens", cell: (a) => a.wasted_tokens },
        { head: "Restart loops", cell: (a) => a.restart_loops.length },
        {
          head: "Last 30 days / 30 before",
          cell: (a) => (
            <>
              {num(a.trend.last_30_days)} / {num(a.trend.previous_30_days)}
              {a.trend.degrading ? <strong> degrading</strong> : null}
            </>
          ),
        },
      ]}
      rows={r.by_agent}
    />
  );
}

function Projects({ rows }: { rows: NonNullable<QualityReportJson["by_project"]> }) {
  return (
    <QualityTable
      id="quality-projects-title"
      title="By project"
      first={{ head: "Project", cell: (p) => <a href={`/${p.project}/quality`}>{p.project}</a> }}
      columns={[
        { head: "Opened", cell: (p) => p.opened },
        { head: "Agents' share", cell: (p) => pct(p.ai_share) },
        {
          head: "Rejected (people / agents)",
          cell: (p) => `${pct(p.human_rejection_rate)} / ${pct(p.ai_rejection_rate)}`,
        },
        { head: "Agents' review hours", cell: (p) => num(p.ai_review_hours) },
        { head: "Agents' slop", cell: (p) => p.ai_slop },
        { head: "Alerts", cell: (p) => (p.alerts.length ? p.alerts.join(", ") : "none") },
      ]}
      rows={rows}
    />
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
