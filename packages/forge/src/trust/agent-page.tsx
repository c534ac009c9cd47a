// An agent's page: its reputation overall and per track, with the inputs and the formula
// spelled out (no black box), and its scores per model and per account.
import { Hono } from "hono";
import { notFound } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { Layout } from "../web/layout.tsx";
import { meta } from "../web/page.ts";
import { type AgentRecord, agentLeaderboard, agentRecord } from "./agent-stats.ts";
import { TRACKS } from "./reputation.ts";

export const agentPages = new Hono<AppEnv>();

agentPages.get("/agents/:name", async (c) => {
  const name = c.req.param("name").slice(0, 100);
  const record = await agentRecord(c.get("forge").db, c.get("viewer"), name);
  if (!record) throw notFound("No sessions by this agent that you can see");
  c.header("Cache-Control", "private, no-cache");
  return c.html(
    <Layout {...meta(c, `Agent ${name}`, `${name}: reputation ${record.reputation.score} of 100`)}>
      <AgentView r={record} />
    </Layout>,
  );
});

agentPages.get("/agents", async (c) => {
  const rows = await agentLeaderboard(c.get("forge").db, c.get("viewer"));
  c.header("Cache-Control", "private, no-cache");
  return c.html(
    <Layout {...meta(c, "Agents", "Agents by tokens per landed line")}>
      <h1>Agents</h1>
      <p class="hint">
        By token efficiency: tokens spent per line landed, fewest first, over the projects you can see. How
        agents' contributions compare with people's over time: <a href="/quality">Quality</a>.
      </p>
      {rows.length ? (
        <div class="table-scroll">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Tokens per landed line</th>
                <th scope="col">Landed</th>
                <th scope="col">Sessions</th>
                <th scope="col">Wasted tokens</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr>
                  <th scope="row">
                    <a href={`/agents/${encodeURIComponent(r.agent)}`}>{r.agent}</a>
                  </th>
                  <td>{r.tokens_per_landed_line ?? "–"}</td>
                  <td>{r.landed}</td>
                  <td>{r.sessions}</td>
                  <td>{r.wasted_tokens}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="empty">
          No agent has landed anything you can see yet. Agents appear here once a session opened with an{" "}
          <code>agent</code> lands.
        </p>
      )}
    </Layout>,
  );
});

const n1 = (n: number) => (Math.round(n * 10) / 10).toString();

function AgentView({ r }: { r: AgentRecord }) {
  const i = r.inputs;
  const w = r.formula.weights;
  return (
    <>
      <h1>
        Agent <code>{r.agent}</code>
      </h1>
      <section class="card" aria-labelledby="reputation-title">
        <h2 id="reputation-title">
          Reputation <strong>{r.reputation.score}</strong> of 100
        </h2>
        <table class="table">
          <thead>
            <tr>
              <th scope="col">Track</th>
              <th scope="col">Score</th>
              <th scope="col">Sessions</th>
              <th scope="col">Good</th>
              <th scope="col">Bad</th>
            </tr>
          </thead>
          <tbody>
            {TRACKS.map((t) => {
              const x = r.reputation.tracks[t];
              return (
                <tr>
                  <th scope="row">{t}</th>
                  <td>{x.score}</td>
                  <td>{x.sessions}</td>
                  <td>{n1(x.evidence.good)}</td>
                  <td>{n1(x.evidence.bad)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      <section class="card" aria-labelledby="inputs-title">
        <h2 id="inputs-title">Inputs</h2>
        <p>
          {i.sessions} sessions in projects you can see: {i.landed} landed, {i.rejected} rejected ({i.slop} of
          them after passing validation: slop), {i.abandoned} abandoned, {i.open} open; {i.validations_passed}{" "}
          validation runs passed, {i.validations_failed} failed, {i.extra_attempts} extra attempts.
          {r.truncated ? " Only the newest sessions are counted." : ""}
        </p>
        <h3>How the score is made</h3>
        <p>
          Each session's outcome counts as good (landed ×{w.landed}, each passed validation ×{w.passed}) or
          bad (rejected ×{w.rejected}, abandoned ×{w.abandoned}, each failed validation ×{w.failed}, slop ×
          {w.slop}, each extra attempt ×{w.extra}), weighted by its age (halved every{" "}
          {r.formula.half_life_days} days). The score is 100 × ({r.formula.prior} + good) / (
          {2 * r.formula.prior} + good + bad): 50 with no evidence, up with good outcomes, down with bad ones,
          back toward 50 as they age.
        </p>
      </section>
      <Efficiency r={r} />
      <section class="card" aria-labelledby="models-title">
        <h2 id="models-title">By model and by account</h2>
        <ul>
          {r.by_model.map((m) => (
            <li>
              model <code>{m.name}</code>: {m.score} ({m.sessions} sessions)
            </li>
          ))}
          {r.by_account.map((a) => (
            <li>
              account <a href={`/${a.name}`}>{a.name}</a>: {a.score} ({a.sessions} sessions)
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

function Efficiency({ r }: { r: AgentRecord }) {
  const e = r.efficiency;
  return (
    <section class="card" aria-labelledby="efficiency-title">
      <h2 id="efficiency-title">Token efficiency</h2>
      {e.trend.degrading ? (
        <p class="notice">
          Degrading: {e.trend.last_30_days} tokens per landed line in the last 30 days, against{" "}
          {e.trend.previous_30_days} in the 30 before.
        </p>
      ) : null}
      <p>
        {e.tokens} tokens; {e.landed_lines} lines landed; {e.tokens_per_landed_line ?? "–"} tokens per landed
        line, {e.tokens_per_landed_session ?? "–"} per landed session; {e.wasted_tokens} tokens spent on
        sessions that were abandoned or rejected.
      </p>
      {e.restart_loops.length ? (
        <>
          <h3>Restart loops</h3>
          <ul>
            {e.restart_loops.map((l) => (
              <li>
                “{l.goal}”: {l.sessions} sessions, {l.tokens} tokens
                {l.landed ? ", landed in the end" : ", never landed"}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
