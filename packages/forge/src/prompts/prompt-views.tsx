// Pieces of the prompt registry's pages: the search form, the outcome tabs with their counts
// (landed against rejected at a glance), the list of prompts linking to their sessions, the
// pager and the empty states. Prompt text is user content: JSX escapes it, never raw HTML.
import { TimeAgo } from "../browse/browse-views.tsx";
import { AgentName, StatusBadge } from "../sessions/session-views.tsx";
import {
  MAX_QUERY,
  OUTCOMES,
  type Outcome,
  type RegistryQuery,
  type RegistryRow,
} from "./registry-service.ts";

export interface RegistryFilters {
  q?: string;
  outcome?: Outcome;
  template?: string;
  agent?: string;
  before?: string;
}

/** The registry's filters from a page's query string (anything unexpected is dropped). */
export function registryFilters(query: Record<string, string>): RegistryFilters & RegistryQuery {
  const one = (v: string | undefined, max: number) => (v && v.length <= max ? v : undefined);
  return {
    q: query.q?.slice(0, MAX_QUERY) || undefined,
    outcome: (OUTCOMES as readonly string[]).includes(query.outcome ?? "")
      ? (query.outcome as Outcome)
      : undefined,
    template: one(query.template, 64),
    agent: one(query.agent, 100),
    before: query.before && /^[0-9A-Z]{26}$/.test(query.before) ? query.before : undefined,
  };
}

export function registryHref(base: string, f: RegistryFilters) {
  const s = new URLSearchParams();
  for (const k of ["q", "outcome", "template", "agent", "before"] as const) if (f[k]) s.set(k, f[k]!);
  const text = s.toString();
  return text ? `${base}?${text}` : base;
}

export function PromptSearch({ action, f, label }: { action: string; f: RegistryFilters; label: string }) {
  return (
    <search>
      <form method="get" action={action} class="prompt-search">
        <label for="prompt-q" class="visually-hidden">
          {label}
        </label>
        <input
          id="prompt-q"
          type="search"
          name="q"
          value={f.q ?? ""}
          maxlength={MAX_QUERY}
          placeholder={label}
        />
        {f.outcome ? <input type="hidden" name="outcome" value={f.outcome} /> : null}
        {f.template ? <input type="hidden" name="template" value={f.template} /> : null}
        {f.agent ? <input type="hidden" name="agent" value={f.agent} /> : null}
        <button type="submit">Search</button>
      </form>
    </search>
  );
}

export function OutcomeTabs(props: { base: string; f: RegistryFilters; counts: Record<Outcome, number> }) {
  const { base, f, counts } = props;
  const all = OUTCOMES.reduce((n, o) => n + counts[o], 0);
  return (
    <>
      <nav class="status-links" aria-label="Prompts by outcome">
        <a
          href={registryHref(base, { ...f, outcome: undefined, before: undefined })}
          aria-current={!f.outcome ? "true" : undefined}
        >
          All ({all})
        </a>
        {OUTCOMES.map((o) => (
          <a
            href={registryHref(base, { ...f, outcome: o, before: undefined })}
            aria-current={f.outcome === o ? "true" : undefined}
          >
            {o} ({counts[o]})
          </a>
        ))}
      </nav>
      <p class="hint prompt-outcomes">
        {counts.landed} landed · {counts.rejected} rejected
        {counts.landed + counts.rejected > 0
          ? ` (${Math.round((100 * counts.landed) / (counts.landed + counts.rejected))}% of decided prompts landed)`
          : ""}
      </p>
    </>
  );
}

export function PromptList(props: { rows: RegistryRow[]; showProject?: boolean; curate?: boolean }) {
  const { rows, showProject } = props;
  return (
    <ul class="list prompt-list">
      {rows.map((r) => {
        const project = `/${r.owner_handle}/${r.project_handle}`;
        return (
          <li>
            {showProject ? (
              <>
                <a href={project}>
                  {r.owner_handle}/{r.project_handle}
                </a>{" "}
                {r.visibility === "private" ? <span class="badge">private</span> : null} ·{" "}
              </>
            ) : null}
            <a href={`${project}/sessions/${r.id}`} class="session-goal-link">
              {r.goal}
            </a>{" "}
            <StatusBadge status={r.status} />
            {r.validation?.score != null ? (
              <span class="badge" title="The latest validation score">
                score {Math.round(Number(r.validation.score))}
              </span>
            ) : null}
            <pre class="prompt-text prompt-excerpt">
              {(r.prompt ?? "").length > 600 ? `${(r.prompt ?? "").slice(0, 600)}…` : r.prompt}
            </pre>
            <p class="hint">
              <span>{r.author_handle}</span>{" "}
              {r.agent_name ? (
                <>
                  with <AgentName name={r.agent_name} model={r.agent_model} version={r.agent_version} />{" "}
                </>
              ) : null}
              {r.template_id ? (
                <>
                  · template <a href={`${project}/prompts/templates#${r.template_id}`}>
                    {r.template_id}
                  </a>{" "}
                </>
              ) : null}
              {r.generation_depth > 0 ? <>· generation {r.generation_depth} </> : null}
              {r.revises_id ? (
                <>
                  · revises <a href={`${project}/sessions/${r.revises_id}`}>{r.revises_id.slice(-8)}</a>{" "}
                </>
              ) : null}
              · <TimeAgo date={r.created_at} />
              {props.curate ? (
                <>
                  {" "}
                  · <a href={`${project}/prompts/templates?from=${r.id}#new-template`}>Make it a template</a>
                </>
              ) : null}
            </p>
          </li>
        );
      })}
    </ul>
  );
}

export function Pager({ base, f, next }: { base: string; f: RegistryFilters; next: string | null }) {
  return (
    <nav class="pager" aria-label="Pages">
      {f.before ? <a href={registryHref(base, { ...f, before: undefined })}>← Newest</a> : <span />}
      {next ? <a href={registryHref(base, { ...f, before: next })}>Older →</a> : null}
    </nav>
  );
}

/** What an empty registry page says: nothing matched, or how prompts get here. */
export function EmptyRegistry({
  base,
  f,
  templates,
}: {
  base: string;
  f: RegistryFilters;
  templates?: string;
}) {
  if (f.q || f.outcome || f.template || f.agent || f.before)
    return (
      <p class="empty">
        No prompts match{f.q ? <> “{f.q}”</> : null}
        {f.outcome ? <> among {f.outcome} sessions</> : null}. <a href={base}>Show every prompt</a>
      </p>
    );
  return (
    <div class="empty">
      <p>No prompts yet.</p>
      <p>
        An agent's session carries the prompt it worked from: open one with{" "}
        <code>mic session start --prompt …</code> or the <code>open_session</code> MCP tool (see{" "}
        <a href="/skill.md">/skill.md</a>), and it shows here with its outcome.
        {templates ? (
          <>
            {" "}
            Start from one of the project's <a href={templates}>prompt templates</a>.
          </>
        ) : null}
      </p>
    </div>
  );
}
