// The administrators' review page (/admin/review): each flagged account with the signal,
// its explanation (the numbers and the threshold) and when, and buttons to dismiss the entry
// or suspend the account. Settled entries are listed by state. 404 to everyone else.
import { Hono } from "hono";
import { requireAdmin } from "../admin/admin-api.ts";
import { AdminNav } from "../admin/admin-nav.tsx";
import type { AppEnv } from "../http/context.ts";
import { CsrfField, Layout, PostButton } from "../web/layout.tsx";
import { formFields, meta } from "../web/page.ts";
import { SIGNALS, type Signal } from "./abuse-signals.ts";
import { suspendFromReview } from "./review-decisions.ts";
import {
  dismissReview,
  listReview,
  REVIEW_STATES,
  type ReviewEntry,
  type ReviewState,
} from "./review-store.ts";

export const reviewPages = new Hono<AppEnv>();
reviewPages.use("/admin/review", async (c, next) => {
  requireAdmin(c);
  await next();
});
reviewPages.use("/admin/review/*", async (c, next) => {
  requireAdmin(c);
  await next();
});

function Entry({ e, csrf }: { e: ReviewEntry; csrf: string }) {
  return (
    <li class="review-entry">
      <h2>
        <a href={`/admin/users/${e.account}`}>{e.account}</a>: {SIGNALS[e.signal as Signal] ?? e.signal}{" "}
        <code>{e.signal}</code>
      </h2>
      <p class="review-explanation" style="overflow-wrap: anywhere">
        {e.explanation}
      </p>
      <p class="hint">
        Flagged <time datetime={e.created_at}>{e.created_at.replace("T", " ").slice(0, 19)}</time>
        {e.resolved_at
          ? `; ${e.state} ${e.resolved_at.replace("T", " ").slice(0, 19)} by ${e.resolved_by ?? "—"}`
          : ""}
        {e.account_suspended && e.state === "open" ? "; the account is suspended" : ""}
      </p>
      {e.state === "open" ? (
        <div class="actions">
          <PostButton action={`/admin/review/${e.id}/dismiss`} csrf={csrf}>
            Dismiss
          </PostButton>
          <form method="post" action={`/admin/review/${e.id}/suspend`}>
            <CsrfField token={csrf} />
            <label for={`reason-${e.id}`}>Reason</label>
            <input id={`reason-${e.id}`} name="reason" maxlength={500} />
            <label class="choice">
              <input type="checkbox" name="confirm" value="yes" required /> Suspend {e.account}
            </label>
            <button type="submit" class="danger">
              Suspend account
            </button>
          </form>
        </div>
      ) : null}
    </li>
  );
}

reviewPages.get("/admin/review", async (c) => {
  const requested = c.req.query("state") ?? "open";
  const state = (
    (REVIEW_STATES as readonly string[]).includes(requested) ? requested : "open"
  ) as ReviewState;
  const entries = await listReview(c.get("forge").db, { state, limit: 200 });
  const csrf = c.get("csrfToken");
  return c.html(
    <Layout {...meta(c, "Review · Administration")}>
      <h1>Review</h1>
      <AdminNav />
      <p>
        Accounts flagged by abuse signals, with why.{" "}
        {REVIEW_STATES.map((s) =>
          s === state ? <strong>{s} </strong> : <a href={`/admin/review?state=${s}`}>{s} </a>,
        )}
      </p>
      {entries.length === 0 ? (
        <div class="empty">Nothing to review.</div>
      ) : (
        <ul class="list">
          {entries.map((e) => (
            <Entry e={e} csrf={csrf} />
          ))}
        </ul>
      )}
    </Layout>,
  );
});

reviewPages.post("/admin/review/:id/dismiss", async (c) => {
  await formFields(c);
  await dismissReview(c.get("forge").db, c.get("viewer"), c.req.param("id"));
  return c.redirect("/admin/review", 303);
});

reviewPages.post("/admin/review/:id/suspend", async (c) => {
  const v = await formFields(c);
  if (v.confirm !== "yes") return c.redirect("/admin/review", 303);
  await suspendFromReview(c.get("forge").db, c.get("viewer"), c.req.param("id"), (v.reason ?? "").trim());
  return c.redirect("/admin/review", 303);
});
