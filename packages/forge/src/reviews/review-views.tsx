// The session page's review markup: the Review section (counts, the comments with their
// markdown rendered by the forge's sanitizing renderer, resolve and delete buttons for those
// allowed, a form to add one with its kind) and the prompt improvement suggestions shown
// under the prompt panel. Plain forms with the CSRF token; complete without script.

import { raw } from "hono/html";
import { TimeAgo } from "../browse/browse-views.tsx";
import type { ProjectWithOwner } from "../projects/projects-service.ts";
import { renderMarkdown } from "../render/index.ts";
import type { SessionRow } from "../sessions/session-types.ts";
import { Alert, CsrfField, FieldErrors, PostButton } from "../web/layout.tsx";
import type { CommentKind, ReviewCounts } from "./comments-service.ts";
import type { Review, ReviewComment } from "./review-data.ts";

const KIND_LABEL: Record<CommentKind, string> = {
  comment: "Comment",
  "prompt-suggestion": "Prompt suggestion",
  "change-request": "Change request",
};

const commentsUrl = (p: ProjectWithOwner, s: SessionRow) =>
  `/${p.owner_handle}/${p.handle}/sessions/${s.id}/comments`;

/** Comment markdown as sanitized HTML; relative links resolve into the project's trunk. */
function Markdown({ p, source }: { p: ProjectWithOwner; source: string }) {
  const base = `/${p.owner_handle}/${p.handle}`;
  const html = renderMarkdown(source, { linkBase: `${base}/blob/main`, rawBase: `${base}/raw/main` });
  return <div class="markdown comment-body">{raw(html)}</div>;
}

function Byline({ c }: { c: ReviewComment }) {
  return (
    <p class="comment-meta">
      <span class={`badge kind-${c.kind}`}>{KIND_LABEL[c.kind]}</span> <a href={`/${c.author}`}>{c.author}</a>{" "}
      <TimeAgo date={new Date(c.created_at)} />
      {c.updated_at !== c.created_at ? <span class="hint"> (edited)</span> : null}
      {c.resolved ? (
        <span class="badge resolved">resolved{c.resolved_by ? ` by ${c.resolved_by}` : ""}</span>
      ) : null}
    </p>
  );
}

function CommentItem(props: { p: ProjectWithOwner; s: SessionRow; c: ReviewComment; csrf: string }) {
  const { p, s, c, csrf } = props;
  const action = `${commentsUrl(p, s)}/${c.id}`;
  return (
    <li id={`comment-${c.id}`} class={`card review-comment kind-${c.kind}${c.resolved ? " resolved" : ""}`}>
      <Byline c={c} />
      {c.path ? (
        <p class="comment-anchor">
          on <code>{c.path}</code>
          {c.line ? <>, line {c.line}</> : null}
        </p>
      ) : null}
      <Markdown p={p} source={c.body} />
      {c.suggested_prompt ? (
        <details open={!c.resolved}>
          <summary>Suggested prompt</summary>
          <pre class="prompt-text">{c.suggested_prompt}</pre>
        </details>
      ) : null}
      {c.canResolve || c.canDelete ? (
        <div class="comment-actions">
          {c.canResolve ? (
            <form method="post" action={`${action}/resolve`}>
              <CsrfField token={csrf} />
              <input type="hidden" name="resolved" value={c.resolved ? "0" : "1"} />
              <button type="submit" class="secondary small">
                {c.resolved ? "Reopen" : "Resolve"}
              </button>
            </form>
          ) : null}
          {c.canDelete ? (
            <PostButton action={`${action}/delete`} csrf={csrf} class="danger small">
              Delete
            </PostButton>
          ) : null}
        </div>
      ) : null}
    </li>
  );
}

export interface FormState {
  values?: Record<string, string>;
  errors?: Record<string, string>;
  message?: string;
}

export function CommentForm(props: { p: ProjectWithOwner; s: SessionRow; csrf: string; form?: FormState }) {
  const { p, s, csrf } = props;
  const v = props.form?.values ?? {};
  const errors = props.form?.errors;
  return (
    <form method="post" action={commentsUrl(p, s)} class="card comment-form" id="comment-form">
      <h3>Add to the review</h3>
      <Alert message={props.form?.message} />
      <CsrfField token={csrf} />
      <label for="comment-kind">Kind</label>
      <select id="comment-kind" name="kind">
        {(Object.keys(KIND_LABEL) as CommentKind[]).map((k) => (
          <option value={k} selected={(v.kind ?? "comment") === k}>
            {KIND_LABEL[k]}
          </option>
        ))}
      </select>
      <label for="comment-body">Comment (markdown)</label>
      <textarea id="comment-body" name="body" rows={5} maxlength={20000} required>
        {v.body ?? ""}
      </textarea>
      <FieldErrors errors={errors} field="body" />
      <details open={Boolean(v.path || v.line || v.suggested_prompt)}>
        <summary>File, line and suggested prompt (optional)</summary>
        <label for="comment-path">File of the change</label>
        <input id="comment-path" name="path" maxlength={4096} value={v.path ?? ""} />
        <FieldErrors errors={errors} field="path" />
        <label for="comment-line">Line</label>
        <input id="comment-line" name="line" type="number" min={1} value={v.line ?? ""} />
        <FieldErrors errors={errors} field="line" />
        <label for="comment-prompt">Suggested prompt (prompt suggestions: the prompt to retry with)</label>
        <textarea id="comment-prompt" name="suggested_prompt" rows={4} maxlength={20000}>
          {v.suggested_prompt ?? ""}
        </textarea>
        <FieldErrors errors={errors} field="suggested_prompt" />
      </details>
      <button type="submit">Add</button>
    </form>
  );
}

function countsLine(n: ReviewCounts) {
  if (n.total === 0) return "No comments yet.";
  const parts = [`${n.open} open of ${n.total}`];
  for (const [k, count] of Object.entries(n.byKind))
    if (count) parts.push(`${count} ${KIND_LABEL[k as CommentKind].toLowerCase()}${count === 1 ? "" : "s"}`);
  return parts.join(" · ");
}

export function ReviewSection(props: {
  p: ProjectWithOwner;
  s: SessionRow;
  review: Review;
  csrf: string;
  form?: FormState;
}) {
  const { p, s, review, csrf } = props;
  const shown = review.comments.length;
  return (
    <section class="session-review" id="review" aria-labelledby="review-title">
      <h2 id="review-title">Review</h2>
      <p class="hint review-counts">{countsLine(review.counts)}</p>
      {shown ? (
        <ol class="review-comments">
          {review.comments.map((c) => (
            <CommentItem p={p} s={s} c={c} csrf={csrf} />
          ))}
        </ol>
      ) : null}
      {review.counts.total > shown ? (
        <p class="hint">
          The first {shown} are shown; the API lists them all: <code>GET {review.api}</code>
        </p>
      ) : null}
      {review.canComment ? (
        <CommentForm p={p} s={s} csrf={csrf} form={props.form} />
      ) : (
        <p class="hint">
          <a href={`/login?next=${encodeURIComponent(`/${p.owner_handle}/${p.handle}/sessions/${s.id}`)}`}>
            Sign in
          </a>{" "}
          to comment or suggest a better prompt.
        </p>
      )}
    </section>
  );
}

/** Open prompt improvement suggestions, shown under the prompt they would improve. */
export function PromptSuggestions({ p, review }: { p: ProjectWithOwner; review: Review }) {
  const open = review.comments.filter((c) => c.kind === "prompt-suggestion" && !c.resolved);
  if (!open.length) return null;
  return (
    <section class="card prompt-suggestions" aria-labelledby="suggestions-title">
      <h2 id="suggestions-title">Prompt suggestions ({open.length})</h2>
      {open.map((c) => (
        <article class="prompt-suggestion">
          <Byline c={c} />
          <Markdown p={p} source={c.body} />
          {c.suggested_prompt ? <pre class="prompt-text">{c.suggested_prompt}</pre> : null}
          <a href={`#comment-${c.id}`}>In the review</a>
        </article>
      ))}
    </section>
  );
}
