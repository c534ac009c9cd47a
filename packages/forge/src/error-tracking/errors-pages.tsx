// /admin/errors: the errors the forge met (filters by status and kind, search), and one error's
// page with its stack trace, latest context and resolve / mute / reopen buttons.
import { Hono } from "hono";
import { requireAdmin } from "../admin/admin-api.ts";
import { AdminNav } from "../admin/admin-nav.tsx";
import { recordAudit } from "../audit/audit.ts";
import type { AppEnv } from "../http/context.ts";
import { CsrfField, Layout } from "../web/layout.tsx";
import { meta } from "../web/page.ts";
import { ERROR_KINDS, getError, listErrors, setErrorStatus } from "./error-store.ts";

export const errorsPages = new Hono<AppEnv>();
errorsPages.use("/admin/errors", async (c, next) => {
  requireAdmin(c);
  await next();
});
errorsPages.use("/admin/errors/*", async (c, next) => {
  requireAdmin(c);
  await next();
});

const STATUSES = ["open", "resolved", "muted"] as const;

errorsPages.get("/admin/errors", async (c) => {
  const status = (STATUSES as readonly string[]).includes(c.req.query("status") ?? "")
    ? (c.req.query("status") as (typeof STATUSES)[number])
    : c.req.query("status") === "all"
      ? undefined
      : "open";
  const kind = (ERROR_KINDS as readonly string[]).includes(c.req.query("kind") ?? "")
    ? (c.req.query("kind") as (typeof ERROR_KINDS)[number])
    : undefined;
  const q = (c.req.query("q") ?? "").slice(0, 200);
  const errors = await listErrors(c.get("forge").db, { status, kind, q: q || undefined, limit: 100 });
  return c.html(
    <Layout {...meta(c, "Errors · Administration")}>
      <h1>Errors</h1>
      <AdminNav />
      <form method="get" action="/admin/errors" class="filters">
        <label for="status">Status</label>
        <select id="status" name="status">
          {[...STATUSES, "all"].map((s) => (
            <option value={s} selected={(status ?? "all") === s}>
              {s}
            </option>
          ))}
        </select>
        <label for="kind">Kind</label>
        <select id="kind" name="kind">
          <option value="">any</option>
          {ERROR_KINDS.map((k) => (
            <option value={k} selected={kind === k}>
              {k}
            </option>
          ))}
        </select>
        <label for="q">Message</label>
        <input id="q" name="q" type="search" value={q} />
        <button type="submit">Filter</button>
      </form>
      {errors.length ? (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th>Error</th>
                <th>Kind</th>
                <th>Count</th>
                <th>Last seen</th>
                <th>First seen</th>
              </tr>
            </thead>
            <tbody>
              {errors.map((e) => (
                <tr>
                  <td>
                    <a href={`/admin/errors/${e.id}`}>
                      {e.name}: {e.message.slice(0, 140)}
                    </a>{" "}
                    {e.severity === "fatal" ? <span class="badge danger">fatal</span> : null}
                    {e.status !== "open" ? <span class="badge">{e.status}</span> : null}
                  </td>
                  <td>{e.kind}</td>
                  <td>{e.count}</td>
                  <td>
                    <time datetime={e.last_seen}>{e.last_seen.replace("T", " ").slice(0, 19)}</time>
                  </td>
                  <td>
                    <time datetime={e.first_seen}>{e.first_seen.replace("T", " ").slice(0, 19)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="empty">
          No {status ?? ""} errors{kind ? ` of kind ${kind}` : ""}. Errors in requests, jobs and logs appear
          here as they happen.
        </p>
      )}
    </Layout>,
  );
});

errorsPages.get("/admin/errors/:id", async (c) => {
  const e = await getError(c.get("forge").db, c.req.param("id"));
  const csrf = c.get("csrfToken");
  const actions = (
    [
      ["resolve", "Resolve", e.status !== "resolved"],
      ["mute", "Mute", e.status !== "muted"],
      ["reopen", "Reopen", e.status !== "open"],
    ] as const
  ).filter(([, , show]) => show);
  return c.html(
    <Layout {...meta(c, `${e.name} · Errors`)}>
      <h1>
        {e.name}: {e.message.slice(0, 200)}
      </h1>
      <AdminNav />
      <p>
        <a href="/admin/errors">← Errors</a>
      </p>
      <dl class="facts">
        <dt>Status</dt>
        <dd>{e.status}</dd>
        <dt>Kind</dt>
        <dd>
          {e.kind} ({e.severity})
        </dd>
        <dt>Occurrences</dt>
        <dd>{e.count}</dd>
        <dt>First seen</dt>
        <dd>{e.first_seen}</dd>
        <dt>Last seen</dt>
        <dd>{e.last_seen}</dd>
      </dl>
      <p>
        {actions.map(([action, label]) => (
          <form method="post" action={`/admin/errors/${e.id}/${action}`} class="inline">
            <CsrfField token={csrf} />
            <button type="submit" class={action === "resolve" ? "" : "secondary"}>
              {label}
            </button>{" "}
          </form>
        ))}
      </p>
      <h2>Message</h2>
      <pre>{e.message}</pre>
      <h2>Stack trace</h2>
      {e.stack ? (
        <pre>{e.stack}</pre>
      ) : (
        <p class="empty">No stack trace: this error was logged, not thrown.</p>
      )}
      <h2>Latest context</h2>
      <pre>{JSON.stringify(e.context, null, 2)}</pre>
    </Layout>,
  );
});

for (const [action, status] of [
  ["resolve", "resolved"],
  ["mute", "muted"],
  ["reopen", "open"],
] as const)
  errorsPages.post(`/admin/errors/:id/${action}`, async (c) => {
    const db = c.get("forge").db;
    const id = c.req.param("id");
    const e = await setErrorStatus(db, id, status);
    await recordAudit(db, c.get("viewer"), {
      action: `admin.error_${action}`,
      targetType: "error",
      targetId: id,
      target: e.message.slice(0, 100),
    });
    return c.redirect(`/admin/errors/${id}`, 303);
  });
