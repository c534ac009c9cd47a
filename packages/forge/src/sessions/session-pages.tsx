// Session pages: a project's sessions (/{owner}/{project}/sessions, filtered by status,
// origin and agent through a plain GET form, newest first, ?before=<id> pages) and one
// session (/{owner}/{project}/sessions/{id}): goal, author and agent with the AI
// transparency badge, base, tokens and line counts, land status, the last refused land with
// what it collided with, the conversation timeline and the change as a diff. Server-rendered
// and complete without script; an open session's page may reload itself live.

import { Hono } from "hono";
import { formatGap, staleness } from "../attestation/staleness.ts";
import { repoOf } from "../browse/browse-service.ts";
import { shortSha, TimeAgo } from "../browse/browse-views.tsx";
import { DiffView } from "../browse/commit-views.tsx";
import { ValidationCard } from "../checks/validation-card.tsx";
import { sessionRuns } from "../checks/validation-store.ts";
import { sessionReplies } from "../federation/replies.ts";
import { RemoteReplies } from "../federation/replies-pages.tsx";
import type { AppEnv } from "../http/context.ts";
import { sessionOgImage } from "../og/og-head.ts";
import { type ProjectWithOwner, viewProject } from "../projects/projects-service.ts";
import { sessionReview } from "../reviews/review-data.ts";
import { PromptSuggestions, ReviewSection } from "../reviews/review-views.tsx";
import type { StoredSummary } from "../summaries/change-summary.ts";
import { OverCapacityBanner } from "../trust/review-budget-pages.tsx";
import { activityPage } from "./activity-page.tsx";
import { latestEventId } from "./events-api-feed.ts";
import { PromptPanel, promptLineage } from "./prompt-panel.tsx";
import { ReviewActions, reviewActionPages } from "./review-actions.tsx";
import { lastConflict, listFilters, listQuery, sessionChange } from "./session-pages-data.ts";
import { sessionLiveAsset } from "./session-pages-live.ts";
import { Timeline, type TimelineEvent } from "./session-pages-timeline.tsx";
import type { SessionRow } from "./session-types.ts";
import {
  AgentName,
  ConflictCard,
  commitLink,
  OpenSessionHelp,
  OriginBadge,
  projectBase,
  projectPage,
  SessionFilters,
  SessionList,
  StaleBadge,
  StatusBadge,
  StatusLinks,
  sessionUrl,
} from "./session-views.tsx";
import { getSession, listEvents, listSessions } from "./sessions-service.ts";

export const sessionPages = new Hono<AppEnv>();
sessionPages.route("/", sessionLiveAsset);
sessionPages.route("/", activityPage);
sessionPages.route("/", reviewActionPages);

const PER_PAGE = 30;
const EVENTS_PER_PAGE = 300;

sessionPages.get("/:owner/:project/sessions", async (c) => {
  const db = c.get("forge").db;
  const { project: p } = await viewProject(db, c.get("viewer"), c.req.param("owner"), c.req.param("project"));
  const f = listFilters(c.req.query());
  const rows = await listSessions(db, p, { ...f, limit: PER_PAGE + 1 });
  const sessions = rows.slice(0, PER_PAGE);
  const more = rows.length > PER_PAGE;
  const filtered = Boolean(f.status || f.origin || f.agent || f.review);
  const list = `${projectBase(p)}/sessions`;
  const origin = (c.get("forge").config.publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, "");
  return projectPage(
    c,
    p,
    "Sessions",
    "sessions",
    <>
      <h2>Sessions</h2>
      <OverCapacityBanner db={db} p={p} />
      <StatusLinks p={p} f={f} />
      {f.review === "ready" ? (
        <p class="hint">
          <a href={`${list}/review-batch`}>Review similar sessions in a batch</a>
        </p>
      ) : null}
      <SessionFilters p={p} f={f} />
      {sessions.length ? (
        <SessionList p={p} sessions={sessions} />
      ) : filtered || f.before ? (
        <p class="empty">
          No sessions match{f.before ? " on this page" : " these filters"}.{" "}
          <a href={list}>Show all sessions</a>
        </p>
      ) : (
        <OpenSessionHelp p={p} origin={origin} />
      )}
      <nav class="pager" aria-label="Pages">
        {f.before ? <a href={list + listQuery({ ...f, before: undefined })}>← Newest</a> : <span />}
        {more ? (
          <a href={list + listQuery({ ...f, before: sessions[sessions.length - 1]!.id })}>Older →</a>
        ) : null}
      </nav>
    </>,
  );
});

function LandStatus({ p, s }: { p: ProjectWithOwner; s: SessionRow }) {
  if (s.status === "landed") {
    return (
      <p class="land-status landed">
        Landed at position <strong>{s.landed_position}</strong>
        {s.landed_commit ? (
          <>
            {" "}
            as commit{" "}
            <a href={commitLink(p, s.landed_commit)}>
              <code>{shortSha(s.landed_commit)}</code>
            </a>
          </>
        ) : null}
        {s.landed_at ? (
          <>
            {" "}
            <TimeAgo date={s.landed_at} />
          </>
        ) : null}
        . <a href={`${projectBase(p)}/activity`}>See the activity</a>
      </p>
    );
  }
  if (s.status === "open") {
    return (
      <p class="land-status open">
        Open: not landed yet. Land it with <code>mic land</code> or{" "}
        <code>
          POST /api/v1/projects/{`${p.owner_handle}/${p.handle}`}/sessions/{s.id}/land
        </code>
        .
      </p>
    );
  }
  return (
    <p class={`land-status ${s.status}`}>
      {s.status === "abandoned" ? "Abandoned" : "Rejected"}
      {s.status_reason ? `: ${s.status_reason}` : ""} · <TimeAgo date={s.updated_at} />
    </p>
  );
}

/** Generation against submission time, and where a landed session's attestation is. */
function ContributionTimes({ p, s }: { p: ProjectWithOwner; s: SessionRow }) {
  const t = staleness(s);
  const api = `/api/v1/projects/${encodeURIComponent(p.owner_handle)}/${encodeURIComponent(p.handle)}/sessions/${s.id}/attestation`;
  return (
    <>
      <dt>Generated</dt>
      <dd class="generated-at">{s.generated_at ? <TimeAgo date={s.generated_at} /> : "not declared"}</dd>
      <dt>Submitted</dt>
      <dd class="submitted-at">
        {s.submitted_at ? (
          <>
            <TimeAgo date={s.submitted_at} />
            {t.gap_seconds !== null ? <> · {formatGap(t.gap_seconds)} after generation</> : null}{" "}
            <StaleBadge s={s} />
          </>
        ) : (
          "not yet"
        )}
      </dd>
      {s.status === "landed" ? (
        <>
          <dt>Attestation</dt>
          <dd>
            <a href={api}>signed landing record</a>
            {s.content_signature ? " · content signed by its author" : null} · <code>mic verify</code>
          </dd>
        </>
      ) : null}
    </>
  );
}

function Facts({ p, s, summary }: { p: ProjectWithOwner; s: SessionRow; summary?: StoredSummary }) {
  return (
    <dl class="session-facts">
      {summary ? (
        <>
          <dt>Summary</dt>
          <dd>
            {summary.text} <span class="hint">(written by {summary.model ?? "a language model"})</span>
          </dd>
        </>
      ) : null}
      <dt>Author</dt>
      <dd>
        <a href={`/${s.author_handle}`}>{s.author_handle}</a>
      </dd>
      <dt>Agent</dt>
      <dd>
        {s.agent_name ? (
          <>
            <AgentName name={s.agent_name} model={s.agent_model} version={s.agent_version} /> ·{" "}
            <a href={`/agents/${encodeURIComponent(s.agent_name)}`}>record and reputation</a>
          </>
        ) : (
          "none"
        )}
      </dd>
      <dt>Origin</dt>
      <dd>
        <OriginBadge origin={s.origin} />
      </dd>
      <dt>Base</dt>
      <dd>
        position {s.base_position}
        {s.base_commit ? (
          <>
            {" "}
            (
            <a href={commitLink(p, s.base_commit)}>
              <code>{shortSha(s.base_commit)}</code>
            </a>
            )
          </>
        ) : (
          " (empty trunk)"
        )}
      </dd>
      {s.source ? (
        <>
          <dt>From</dt>
          <dd>
            <a href={`/${s.source}/sessions/${s.source_session_id}`}>{s.source}</a> (a fork)
          </dd>
        </>
      ) : null}
      <dt>Tokens</dt>
      <dd>
        {Number(s.tokens_input)} in · {Number(s.tokens_output)} out
      </dd>
      <dt>Lines</dt>
      <dd>
        <span class="d-added">+{s.lines_added}</span> <span class="d-removed">−{s.lines_removed}</span> in{" "}
        {s.touched_paths} file{s.touched_paths === 1 ? "" : "s"}
      </dd>
      <dt>Opened</dt>
      <dd>
        <TimeAgo date={s.created_at} />
      </dd>
      <ContributionTimes p={p} s={s} />
    </dl>
  );
}

/** The result's diff: the landed commit, or the session's change against its base. */
function SessionChange({
  repo,
  change,
  s,
}: {
  repo: Awaited<ReturnType<typeof repoOf>> | undefined;
  change: Awaited<ReturnType<typeof sessionChange>>;
  s: SessionRow;
}) {
  return (
    <section class="session-change" aria-labelledby="change-title">
      <h2 id="change-title">Change</h2>
      {change && repo ? (
        <>
          <p class="hint">
            {change.kind === "landed"
              ? "The landed commit against its parent on trunk."
              : `The session's change against its base (position ${s.base_position}).`}
          </p>
          <DiffView
            repo={repo}
            commit={change.commit}
            files={change.files}
            patches={change.patches}
            truncated={change.truncated}
          />
        </>
      ) : (
        <p class="empty">No changes uploaded yet.</p>
      )}
    </section>
  );
}

sessionPages.get("/:owner/:project/sessions/:id", async (c) => {
  const forge = c.get("forge");
  const [viewer, owner, handle] = [c.get("viewer"), c.req.param("owner"), c.req.param("project")];
  // The live script follows events from here: read before the session, so none is missed.
  const { project: checked } = await viewProject(forge.db, viewer, owner, handle);
  const latest = await latestEventId(forge.db, checked.id);
  const {
    project: p,
    role,
    session: s,
  } = await getSession(forge.db, viewer, owner, handle, c.req.param("id"));
  const after = Math.max(0, Math.min(2_147_483_647, Number.parseInt(c.req.query("after") ?? "0", 10) || 0));
  const rows = (await listEvents(forge.db, s.id, after, EVENTS_PER_PAGE + 1)) as TimelineEvent[];
  const events = rows.slice(0, EVENTS_PER_PAGE);
  const conflict = s.status === "open" ? await lastConflict(forge.db, p.id, s.id) : null;
  const repo = forge.repos.exists(p.id) ? await repoOf(forge, p, role) : undefined;
  const change = repo ? await sessionChange(repo, s) : null;
  const here = sessionUrl(p, s.id);
  const [[validation], lineage, review, remote] = await Promise.all([
    sessionRuns(forge.db, s.id, 1),
    promptLineage(forge.db, s),
    sessionReview(forge.db, viewer, p, role, s),
    sessionReplies(forge.db, p, s.id, role === "admin"),
  ]);
  const apiBase = `/api/v1/projects/${encodeURIComponent(p.owner_handle)}/${encodeURIComponent(p.handle)}/sessions/${s.id}`;
  const { image, summary } = await sessionOgImage(c, p, s);
  return projectPage(
    c,
    p,
    s.goal.length > 60 ? `${s.goal.slice(0, 60)}…` : s.goal,
    "sessions",
    <>
      <link rel="stylesheet" href="/assets/highlight.css" />
      {s.status === "open" ? <OverCapacityBanner db={forge.db} p={p} /> : null}
      <section class="card session-summary">
        <h2 class="session-goal">{s.goal}</h2>
        <p class="session-badges">
          <StatusBadge status={s.status} /> <OriginBadge origin={s.origin} /> <StaleBadge s={s} />
        </p>
        <LandStatus p={p} s={s} />
        <Facts p={p} s={s} summary={summary} />
      </section>
      <ReviewActions
        s={s}
        here={here}
        canReview={role === "admin" && viewer.user?.id !== s.author_id}
        csrf={c.get("csrfToken")}
      />
      <div class="prompt-result">
        <div class="prompt-column">
          <PromptPanel p={p} s={s} lineage={lineage} />
          <PromptSuggestions p={p} review={review} />
        </div>
        <div class="result">
          <ValidationCard run={validation ?? null} apiBase={apiBase} />
          {conflict ? <ConflictCard p={p} s={s} conflict={conflict} /> : null}
          <SessionChange repo={repo} change={change} s={s} />
        </div>
      </div>
      <section class="session-conversation" aria-labelledby="conversation-title">
        <h2 id="conversation-title">Conversation</h2>
        {events.length ? (
          <Timeline events={events} base={here} />
        ) : (
          <p class="empty">{after ? "No later events." : "No conversation recorded."}</p>
        )}
        <nav class="pager" aria-label="Conversation pages">
          {after ? <a href={here}>← From the start</a> : <span />}
          {rows.length > EVENTS_PER_PAGE ? (
            <a href={`${here}?after=${events[events.length - 1]!.seq}`}>Later events →</a>
          ) : null}
        </nav>
      </section>
      <ReviewSection p={p} s={s} review={review} csrf={c.get("csrfToken")} />
      <RemoteReplies replies={remote} here={here} csrf={c.get("csrfToken")} canModerate={role === "admin"} />
      {s.status === "open" ? (
        <>
          <div
            hidden
            data-session-live
            data-session={s.id}
            data-events={`/api/v1/projects/${encodeURIComponent(p.owner_handle)}/${encodeURIComponent(p.handle)}/events`}
            data-after={String(latest)}
            data-session-events={rows.length > EVENTS_PER_PAGE ? undefined : `${apiBase}/events`}
            data-last-seq={String(events.at(-1)?.seq ?? after)}
          />
          <script src="/assets/session-live.js" defer />
        </>
      ) : null}
    </>,
    image,
  );
});
