// Shared pieces of the session and activity pages: the project title with its tabs (Code,
// Commits, Sessions, Activity), status and AI-transparency badges, the agent line, the
// session list with its filter form (a plain GET form), the empty state that explains how
// to open a session with mic or the API, and the card of a refused land's conflicts.
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { formatGap, STALE_AFTER_HOURS, staleness } from "../attestation/staleness.ts";
import { TimeAgo } from "../browse/browse-views.tsx";
import type { AppEnv } from "../http/context.ts";
import type { HeadImage } from "../meta/head.tsx";
import type { ProjectWithOwner } from "../projects/projects-service.ts";
import { Layout } from "../web/layout.tsx";
import { meta } from "../web/page.ts";
import {
  type LastConflict,
  type ListFilters,
  listQuery,
  ORIGIN_VALUES,
  STATUSES,
} from "./session-pages-data.ts";
import type { SessionRow } from "./session-types.ts";

export type ProjectTab = "sessions" | "prompts" | "activity" | "quality";

export const projectBase = (p: ProjectWithOwner) => `/${p.owner_handle}/${p.handle}`;
export const sessionUrl = (p: ProjectWithOwner, id: string) => `${projectBase(p)}/sessions/${id}`;
export const commitLink = (p: ProjectWithOwner, sha: string) => `${projectBase(p)}/commit/${sha}`;

export function ProjectNav({ p, tab }: { p: ProjectWithOwner; tab: ProjectTab }) {
  const base = projectBase(p);
  const link = (t: ProjectTab | null, href: string, label: string) => (
    <a href={href} aria-current={t === tab ? "page" : undefined}>
      {label}
    </a>
  );
  return (
    <header class="repo-header">
      <h1>
        <a href={`/${p.owner_handle}`}>{p.owner_handle}</a> / <a href={base}>{p.handle}</a>{" "}
        {p.visibility === "private" ? <span class="badge">private</span> : null}
      </h1>
      <nav class="repo-tabs" aria-label="Project">
        {link(null, base, "Code")}
        {link(null, `${base}/commits`, "Commits")}
        {link("sessions", `${base}/sessions`, "Sessions")}
        {link("prompts", `${base}/prompts`, "Prompts")}
        {link("activity", `${base}/activity`, "Activity")}
        {link("quality", `${base}/quality`, "Quality")}
      </nav>
    </header>
  );
}

/** A page of a project with its title and tabs; private projects' pages are not cached. */
export function projectPage(
  c: Context<AppEnv>,
  p: ProjectWithOwner,
  title: string,
  tab: ProjectTab,
  body: Child,
  image?: HeadImage,
) {
  if (p.visibility === "private") c.header("Cache-Control", "private, no-cache");
  return c.html(
    <Layout
      {...meta(c, `${title} · ${p.owner_handle}/${p.handle}`, p.description || undefined)}
      image={image}
    >
      <ProjectNav p={p} tab={tab} />
      {body}
    </Layout>,
  );
}

const ORIGIN_LABEL: Record<string, string> = {
  human: "Human",
  "ai-assisted": "AI-assisted",
  "ai-generated": "AI-generated",
};
const ORIGIN_HINT: Record<string, string> = {
  human: "Written by a person",
  "ai-assisted": "A person worked with an AI agent",
  "ai-generated": "Produced by an AI agent",
};

/**
 * The AI transparency badge: who (or what) produced the work. Every session has an origin (a
 * commit pushed to trunk lands through a person's session); a landing with no session recorded
 * says that its origin is unknown rather than showing nothing.
 */
export const OriginBadge = ({ origin }: { origin: string | null }) =>
  origin ? (
    <span class={`badge origin origin-${origin}`} title={ORIGIN_HINT[origin] ?? origin}>
      {ORIGIN_LABEL[origin] ?? origin}
    </span>
  ) : (
    <span
      class="badge origin origin-unknown"
      title="No session is recorded for this landing: its origin was not declared"
    >
      Origin unknown
    </span>
  );

/** Flags an output submitted long after it was generated (attestation/staleness.ts). */
export function StaleBadge({ s }: { s: Pick<SessionRow, "generated_at" | "submitted_at"> }) {
  const t = staleness(s);
  if (!t.stale || t.gap_seconds === null) return null;
  return <StaleMark title={`Submitted ${formatGap(t.gap_seconds)} after it was generated`} />;
}

export const StaleMark = ({ title }: { title?: string }) => (
  <span
    class="badge stale"
    title={`${title ?? "Submitted long after it was generated"} (more than ${STALE_AFTER_HOURS} h)`}
  >
    stale output
  </span>
);

export const StatusBadge = ({ status }: { status: string }) => (
  <span class={`badge session-status status-${status}`}>{status}</span>
);

/** "claude-code opus 1.2" with each part labelled, or null for a person alone. */
export function AgentName(props: { name: string | null; model?: string | null; version?: string | null }) {
  if (!props.name) return null;
  return (
    <span class="agent">
      <span class="agent-name">{props.name}</span>
      {props.model ? <span class="agent-model"> {props.model}</span> : null}
      {props.version ? <span class="agent-version"> v{props.version}</span> : null}
    </span>
  );
}

export function SessionList({ p, sessions }: { p: ProjectWithOwner; sessions: SessionRow[] }) {
  return (
    <ul class="list session-list">
      {sessions.map((s) => (
        <li>
          <a href={sessionUrl(p, s.id)} class="session-goal-link">
            {s.goal}
          </a>{" "}
          <StatusBadge status={s.status} /> <OriginBadge origin={s.origin} /> <StaleBadge s={s} />
          <p>
            <span>{s.author_handle}</span>
            {s.agent_name ? (
              <>
                {" with "}
                <AgentName name={s.agent_name} model={s.agent_model} />
              </>
            ) : null}{" "}
            · opened <TimeAgo date={s.created_at} /> · base {s.base_position}
            {s.landed_position !== null ? <> · landed at {s.landed_position}</> : null}
            {s.touched_paths > 0 ? (
              <span class="diffstat">
                {" "}
                · <span class="d-added">+{s.lines_added}</span>{" "}
                <span class="d-removed">−{s.lines_removed}</span>
              </span>
            ) : null}
          </p>
        </li>
      ))}
    </ul>
  );
}

export function SessionFilters({ p, f }: { p: ProjectWithOwner; f: ListFilters }) {
  const option = (value: string, label: string, current: string | undefined) => (
    <option value={value} selected={current === value || (!current && value === "")}>
      {label}
    </option>
  );
  const active = Boolean(f.status || f.origin || f.agent);
  return (
    <form method="get" action={`${projectBase(p)}/sessions`} class="session-filters">
      <div>
        <label for="f-status">Status</label>
        <select id="f-status" name="status">
          {option("", "Any", f.status)}
          {STATUSES.map((s) => option(s, s, f.status))}
        </select>
      </div>
      <div>
        <label for="f-origin">Origin</label>
        <select id="f-origin" name="origin">
          {option("", "Any", f.origin)}
          {ORIGIN_VALUES.map((o) => option(o, ORIGIN_LABEL[o]!, f.origin))}
        </select>
      </div>
      <div>
        <label for="f-agent">Agent</label>
        <input
          id="f-agent"
          name="agent"
          value={f.agent ?? ""}
          maxlength={100}
          placeholder="e.g. claude-code"
        />
      </div>
      <div class="filter-actions">
        <button type="submit">Filter</button>
        {active ? <a href={`${projectBase(p)}/sessions`}>Clear</a> : null}
      </div>
    </form>
  );
}

/** Links to the same list filtered by each status (no form needed). */
export function StatusLinks({ p, f }: { p: ProjectWithOwner; f: ListFilters }) {
  const base = `${projectBase(p)}/sessions`;
  return (
    <nav class="status-links" aria-label="Sessions by status">
      <a
        href={base + listQuery({ ...f, status: undefined, review: undefined, before: undefined })}
        aria-current={!f.status && !f.review ? "true" : undefined}
      >
        All
      </a>
      {STATUSES.map((s) => (
        <a
          href={base + listQuery({ ...f, status: s, review: undefined, before: undefined })}
          aria-current={f.status === s ? "true" : undefined}
        >
          {s}
        </a>
      ))}
      <a
        href={base + listQuery({ ...f, status: undefined, review: "ready", before: undefined })}
        aria-current={f.review === "ready" ? "true" : undefined}
      >
        ready for review
      </a>
    </nav>
  );
}

/** How to open a session: with mic, or straight through the JSON API. */
export function OpenSessionHelp({ p, origin }: { p: ProjectWithOwner; origin: string }) {
  const full = `${p.owner_handle}/${p.handle}`;
  return (
    <div class="empty session-help">
      <h2>No sessions yet</h2>
      <p>A session is one unit of work: a goal, the conversation behind it, and its change.</p>
      <p>With mic, the session client:</p>
      <pre class="commands">{`mic --server ${origin} auth login --token $MICELIO_TOKEN
mic clone ${full}
mic session start "Describe the goal"
# edit files, then
mic land`}</pre>
      <p>Or through the API with a token that has the session:write scope:</p>
      <pre class="commands">{`curl -X POST ${origin}/api/v1/projects/${full}/sessions \\
  -H "Authorization: Bearer $MICELIO_TOKEN" \\
  -H "Content-Type: application/json" \\
  -d '{"goal": "Describe the goal"}'`}</pre>
      <p>
        See the <a href="/api/docs">API reference</a> for uploading changes and landing.
      </p>
    </div>
  );
}

/** The last refused land: each conflicting path with the landing that touched it. */
export function ConflictCard({
  p,
  s,
  conflict,
}: {
  p: ProjectWithOwner;
  s: SessionRow;
  conflict: LastConflict;
}) {
  return (
    <section class="card conflict" aria-labelledby="conflict-title">
      <h2 id="conflict-title">Last land refused: conflicts</h2>
      <p>
        Tried <TimeAgo date={conflict.at} />. Work landed since this session's base (position{" "}
        {s.base_position}) touched the same paths. Start a new session from the current trunk (or{" "}
        <code>mic sync</code>) and land again.
      </p>
      <ul class="list conflict-list">
        {conflict.conflicts.map((x) => (
          <li>
            <code class="conflict-path">{x.path}</code>
            <p>
              landed at position <strong>{x.position}</strong>
              {x.goal ? (
                <>
                  {" by "}
                  {x.session_id ? <a href={sessionUrl(p, x.session_id)}>{x.goal}</a> : <span>{x.goal}</span>}
                </>
              ) : null}
              {x.author ? <> · {x.author}</> : null}
              {x.agent ? <> · {x.agent}</> : null}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
