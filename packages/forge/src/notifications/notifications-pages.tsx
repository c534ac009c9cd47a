// The inbox (/notifications: unread first, each link marks it read, "mark all read"), the mail
// settings (/settings/notifications), the watch form's target, and the unsubscribe page a mail's
// link opens (a button, so that link scanners do not unsubscribe anyone).
import type { Context, MiddlewareHandler } from "hono";
import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";
import { CsrfField, Layout } from "../web/layout.tsx";
import { formFields, meta } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import {
  getSettings,
  listNotifications,
  markRead,
  NOTIFICATION_KINDS,
  openNotification,
  putSettings,
  setWatch,
  unreadCount,
  unsubscribe,
  WATCH_LEVELS,
} from "./notifications-service.ts";

export const notificationsPages = new Hono<AppEnv>();

/** Sets the unread count for the page header of a signed-in person's HTML pages. */
export const unreadForHeader: MiddlewareHandler<AppEnv> = async (c, next) => {
  const viewer = c.get("viewer");
  if (viewer?.user && c.req.method === "GET" && !c.req.path.startsWith("/api/"))
    c.set("unread", await unreadCount(c.get("forge").db, viewer).catch(() => 0));
  await next();
};

notificationsPages.use("/notifications", requireSignedIn);
notificationsPages.use("/notifications/:id/open", requireSignedIn);
notificationsPages.use("/settings/notifications", requireSignedIn);

async function inbox(c: Context<AppEnv>) {
  const db = c.get("forge").db;
  const viewer = c.get("viewer");
  const all = c.req.query("all") === "1";
  const items = await listNotifications(db, viewer, { unread: !all, limit: 100 });
  const unread = await unreadCount(db, viewer);
  const csrf = c.get("csrfToken");
  return c.html(
    <Layout {...meta(c, "Notifications")} unread={unread}>
      <h1>Notifications</h1>
      <p>
        {unread} unread ·{" "}
        {all ? <a href="/notifications">Unread only</a> : <a href="/notifications?all=1">All</a>} ·{" "}
        <a href="/settings/notifications">Settings</a>
      </p>
      {unread ? (
        <form method="post" action="/notifications/read" class="inline">
          <CsrfField token={csrf} />
          <button type="submit" class="secondary">
            Mark all read
          </button>
        </form>
      ) : null}
      {items.length ? (
        <ul class="list notifications">
          {items.map((n) => (
            <li>
              <a href={`/notifications/${n.id}/open`} class={n.unread ? "notification-unread" : undefined}>
                {n.title}
              </a>{" "}
              <span class="badge">{n.reason.replace("_", " ")}</span>
              <br />
              <small>
                {n.project ?? `${n.actor} (elsewhere)`} ·{" "}
                <time datetime={n.created_at}>{n.created_at.replace("T", " ").slice(0, 16)}</time>
              </small>
            </li>
          ))}
        </ul>
      ) : (
        <p class="empty">
          {all ? "No notifications yet." : "You're all caught up."} Watch a project (on its page) to hear of
          its sessions and landings; you always hear of your own sessions, mentions and review requests.
        </p>
      )}
    </Layout>,
  );
}

notificationsPages.get("/notifications", inbox);
notificationsPages.post("/notifications/read", requireSignedIn, async (c) => {
  await markRead(c.get("forge").db, c.get("viewer"));
  return c.redirect("/notifications", 303);
});
notificationsPages.get("/notifications/:id/open", async (c) => {
  const url = await openNotification(c.get("forge").db, c.get("viewer"), Number(c.req.param("id")) || 0);
  return c.redirect(url, 303);
});

notificationsPages.get("/settings/notifications", async (c) => {
  const s = await getSettings(c.get("forge").db, c.get("viewer"));
  const csrf = c.get("csrfToken");
  return c.html(
    <Layout {...meta(c, "Notification settings")}>
      <h1>Notification settings</h1>
      {c.req.query("saved") ? <p class="notice">Saved.</p> : null}
      <form method="post" action="/settings/notifications" class="card">
        <CsrfField token={csrf} />
        <label for="email">Mail</label>
        <select id="email" name="email">
          {(
            [
              ["instant", "Each notification as it happens"],
              ["daily", "A daily digest"],
              ["off", "No mail (the inbox only)"],
            ] as const
          ).map(([v, label]) => (
            <option value={v} selected={s.email === v}>
              {label}
            </option>
          ))}
        </select>
        <fieldset>
          <legend>Kinds to mail</legend>
          {NOTIFICATION_KINDS.map((k) => (
            <label class="check">
              <input type="checkbox" name="kinds" value={k} checked={!s.muted_kinds.includes(k)} />{" "}
              <code>{k}</code>
            </label>
          ))}
        </fieldset>
        <p>
          <button type="submit">Save</button>
        </p>
      </form>
    </Layout>,
  );
});
notificationsPages.post("/settings/notifications", requireSignedIn, async (c) => {
  const f = await formFields(c);
  const kept = new Set((f.kinds ?? "").split(",").filter(Boolean));
  await putSettings(c.get("forge").db, c.get("viewer"), {
    email: f.email,
    muted_kinds: NOTIFICATION_KINDS.filter((k) => !kept.has(k)),
  });
  return c.redirect("/settings/notifications?saved=1", 303);
});

notificationsPages.post("/:owner/:project/watch", requireSignedIn, async (c) => {
  const f = await formFields(c);
  const level = (WATCH_LEVELS as readonly string[]).includes(f.level ?? "") ? f.level : null;
  const [owner, project] = [c.req.param("owner"), c.req.param("project")];
  await setWatch(c.get("forge").db, c.get("viewer"), owner, project, { level });
  return c.redirect(`/${owner}/${project}`, 303);
});

const unsubscribePage = (c: Context<AppEnv>, done: boolean | null) =>
  c.html(
    <Layout {...meta(c, "Unsubscribe")}>
      <h1>Notification mails</h1>
      {done === null ? (
        <form method="post" action={c.req.path} class="card">
          <CsrfField token={c.get("csrfToken")} />
          <p>Stop all notification mails to this address? Your inbox on the forge stays as it is.</p>
          <button type="submit">Unsubscribe</button>
        </form>
      ) : done ? (
        <p class="notice">
          Done: no more notification mails. Turn them on again in your notification settings.
        </p>
      ) : (
        <p class="empty">This link is not valid (any more).</p>
      )}
    </Layout>,
    done === false ? 404 : 200,
  );
notificationsPages.get("/notifications/unsubscribe/:token", (c) => unsubscribePage(c, null));
notificationsPages.post("/notifications/unsubscribe/:token", async (c) =>
  unsubscribePage(c, await unsubscribe(c.get("forge").db, c.req.param("token"))),
);
