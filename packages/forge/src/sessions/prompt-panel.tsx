// The session page's prompt request panel: what the agent was asked (prompt, system prompt,
// model, environment, cost, execution time, template), where it sits in the prompt's
// lineage (the session it revises, the sessions revising it) and its generation depth. The
// page puts it beside the result (validation and diff), so reviewers read prompt → result.
import type { Db } from "../db/db.ts";
import type { ProjectWithOwner } from "../projects/projects-service.ts";
import type { SessionRow } from "./session-types.ts";

export interface Lineage {
  revises: { id: string; goal: string; status: string } | null;
  revisedBy: { id: string; goal: string; status: string }[];
}

/** The sessions on either side of this one in its prompt's lineage (same project only). */
export async function promptLineage(db: Db, s: SessionRow): Promise<Lineage> {
  const [revises, revisedBy] = await Promise.all([
    s.revises_id
      ? db
          .selectFrom("sessions")
          .select(["id", "goal", "status"])
          .where("id", "=", s.revises_id)
          .where("project_id", "=", s.project_id)
          .executeTakeFirst()
      : undefined,
    db
      .selectFrom("sessions")
      .select(["id", "goal", "status"])
      .where("revises_id", "=", s.id)
      .where("project_id", "=", s.project_id)
      .orderBy("id")
      .limit(20)
      .execute(),
  ]);
  return { revises: revises ?? null, revisedBy };
}

const money = (usd: number) => (usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`);
function duration(ms: number) {
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

export function PromptPanel({ p, s, lineage }: { p: ProjectWithOwner; s: SessionRow; lineage: Lineage }) {
  const base = `/${p.owner_handle}/${p.handle}/sessions`;
  const env = Object.entries(s.environment ?? {});
  return (
    <section class="card prompt-panel" aria-labelledby="prompt-title">
      <h2 id="prompt-title">Prompt</h2>
      {s.prompt_ai_reason ? (
        <p class="prompt-ai" id="prompt-ai">
          <span class="badge origin-ai-generated">AI-generated prompt</span> {s.prompt_ai_reason}; it counts
          as acting on AI-generated context. <a href="/docs/trust#noise-metrics">Why</a>
        </p>
      ) : null}
      {s.prompt === null ? (
        <p class="empty">No prompt recorded: a person opened this session.</p>
      ) : (
        <pre class="prompt-text">{s.prompt}</pre>
      )}
      {s.system_prompt ? (
        <details>
          <summary>System prompt</summary>
          <pre class="prompt-text">{s.system_prompt}</pre>
        </details>
      ) : null}
      <dl class="session-facts">
        {s.agent_model ? (
          <>
            <dt>Model</dt>
            <dd>{s.agent_model}</dd>
          </>
        ) : null}
        <dt>Generation</dt>
        <dd>
          {s.generation_depth === 0
            ? "0 (a person)"
            : `${s.generation_depth} (${depthWords(s.generation_depth)})`}
        </dd>
        {s.cost_usd !== null ? (
          <>
            <dt>Cost</dt>
            <dd>{money(Number(s.cost_usd))}</dd>
          </>
        ) : null}
        {s.execution_ms !== null ? (
          <>
            <dt>Worked</dt>
            <dd>{duration(Number(s.execution_ms))}</dd>
          </>
        ) : null}
        {s.template_id ? (
          <>
            <dt>Template</dt>
            <dd>
              <a href={`/${p.owner_handle}/${p.handle}/prompts/templates#${s.template_id}`}>
                {s.template_id}
              </a>
            </dd>
          </>
        ) : null}
        {env.length ? (
          <>
            <dt>Environment</dt>
            <dd>
              {env.map(([k, v]) => (
                <span class="env-pair">
                  <code>{k}</code>={String(v)}{" "}
                </span>
              ))}
            </dd>
          </>
        ) : null}
        {lineage.revises ? (
          <>
            <dt>Revises</dt>
            <dd>
              <a href={`${base}/${lineage.revises.id}`}>{lineage.revises.goal}</a> ({lineage.revises.status})
            </dd>
          </>
        ) : null}
        {lineage.revisedBy.length ? (
          <>
            <dt>Revised by</dt>
            <dd>
              {lineage.revisedBy.map((r) => (
                <span class="lineage-item">
                  <a href={`${base}/${r.id}`}>{r.goal}</a> ({r.status}){" "}
                </span>
              ))}
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

function depthWords(depth: number) {
  return depth === 1 ? "an agent on a person's request" : `an agent on generation-${depth - 1} AI output`;
}
