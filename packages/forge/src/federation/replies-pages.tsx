// Remote replies on the session page: the approved ones among the review's comments, each marked
// as remote (the account name@host, a link to the note on its instance, the text escaped — never
// the remote markup), and for the project's administrators the pending ones with Approve and
// Reject buttons (plain forms with the CSRF token, back to the session page).
import { Hono } from "hono";
import { TimeAgo } from "../browse/browse-views.tsx";
import type { AppEnv } from "../http/context.ts";
import { CsrfField } from "../web/layout.tsx";
import { requireSignedIn } from "../web/require-signed-in.ts";
import { moderateReply, type RemoteReply } from "./replies.ts";

export const repliesPages = new Hono<AppEnv>();

const sessionPath = (owner: string, project: string, id: string) =>
  `/${encodeURIComponent(owner)}/${encodeURIComponent(project)}/sessions/${encodeURIComponent(id)}`;

function ReplyItem(props: { reply: RemoteReply; action: string; csrf: string; canModerate: boolean }) {
  const { reply: r, action, csrf } = props;
  return (
    <li id={`remote-reply-${r.id}`} class={`card review-comment remote-reply state-${r.state}`}>
      <p class="comment-meta">
        <span class="badge remote">Remote</span>{" "}
        {r.url ? (
          <a href={r.url} rel="nofollow noopener ugc" target="_blank">
            {r.author}
          </a>
        ) : (
          <span>{r.author}</span>
        )}{" "}
        <TimeAgo date={new Date(r.created_at)} />
        {r.state === "pending" ? <span class="badge pending">awaiting moderation</span> : null}
      </p>
      <p class="comment-body remote-text">{r.content}</p>
      {props.canModerate && r.state === "pending" ? (
        <div class="comment-actions">
          <form method="post" action={`${action}/${r.id}/approve`}>
            <CsrfField token={csrf} />
            <button type="submit" class="small">
              Approve
            </button>
          </form>
          <form method="post" action={`${action}/${r.id}/reject`}>
            <CsrfField token={csrf} />
            <button type="submit" class="secondary small">
              Reject
            </button>
          </form>
        </div>
      ) : null}
    </li>
  );
}

/** The session's remote replies (nothing when there are none). */
export function RemoteReplies(props: {
  replies: RemoteReply[];
  here: string;
  csrf: string;
  canModerate: boolean;
}) {
  if (props.replies.length === 0) return null;
  const pending = props.replies.filter((r) => r.state === "pending").length;
  return (
    <section class="session-review remote-replies" id="remote-replies" aria-labelledby="remote-replies-title">
      <h2 id="remote-replies-title">Replies from the fediverse</h2>
      {pending ? (
        <p class="hint">{pending} awaiting moderation: only you and the other maintainers see them.</p>
      ) : null}
      <ol class="review-comments">
        {props.replies.map((r) => (
          <ReplyItem
            reply={r}
            action={`${props.here}/remote-replies`}
            csrf={props.csrf}
            canModerate={props.canModerate}
          />
        ))}
      </ol>
    </section>
  );
}

for (const [verb, decision] of [
  ["approve", "approved"],
  ["reject", "rejected"],
] as const)
  repliesPages.post(
    `/:owner/:project/sessions/:id/remote-replies/:reply/${verb}`,
    requireSignedIn,
    async (c) => {
      const [owner, project, id] = [c.req.param("owner"), c.req.param("project"), c.req.param("id")];
      const reply = Number(c.req.param("reply"));
      const at = { owner, project, id: Number.isSafeInteger(reply) && reply > 0 ? reply : 0 };
      await moderateReply(c.get("forge").db, c.get("viewer"), at, decision);
      return c.redirect(`${sessionPath(owner, project, id)}#remote-replies`, 303);
    },
  );
