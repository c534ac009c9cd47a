// Administration pages for accounts and projects: search (paginated), an account's page with
// suspend/unsuspend and the administrator role, a project's page with transfer and delete.
// Destructive actions need a confirmation: a ticked box, or the project's name typed out.
import type { Context } from "hono";
import { Hono } from "hono";
import { getAccountByHandle } from "../accounts/accounts-service.ts";
import { AppError, invalid } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { getProject } from "../projects/projects-service.ts";
import { Alert, CsrfField, Layout } from "../web/layout.tsx";
import { formFailure, formFields, meta } from "../web/page.ts";
import { AdminNav } from "./admin-nav.tsx";
import {
  adminAccountJson,
  adminDeleteProject,
  adminProjectJson,
  searchAccounts,
  searchProjects,
  setAdministrator,
  suspendAccount,
  transferProject,
  unsuspendAccount,
} from "./admin-service.ts";

export const adminAccountsPages = new Hono<AppEnv>();
const PAGE = 50;

function paging(c: Context<AppEnv>) {
  const q = (c.req.query("q") ?? "").slice(0, 200);
  const page = Math.max(1, Math.min(Number(c.req.query("page")) || 1, 2000));
  return { q, page, offset: (page - 1) * PAGE };
}

function SearchForm(props: { action: string; q: string; label: string }) {
  return (
    <form method="get" action={props.action}>
      <label for="q">{props.label}</label>
      <input id="q" name="q" type="search" value={props.q} />
      <button type="submit">Search</button>
    </form>
  );
}

function Pager(props: { base: string; q: string; page: number; more: boolean }) {
  const link = (p: number) => `${props.base}?q=${encodeURIComponent(props.q)}&page=${p}`;
  return (
    <p>
      {props.page > 1 ? <a href={link(props.page - 1)}>Previous</a> : null}{" "}
      {props.more ? <a href={link(props.page + 1)}>Next</a> : null}
    </p>
  );
}

adminAccountsPages.get("/admin/users", async (c) => {
  const { q, page, offset } = paging(c);
  const rows = (await searchAccounts(c.get("forge").db, { q, limit: PAGE, offset })).map(adminAccountJson);
  return c.html(
    <Layout {...meta(c, "Accounts · Administration")}>
      <h1>Accounts</h1>
      <AdminNav />
      <SearchForm action="/admin/users" q={q} label="Handle, name or email" />
      {rows.length === 0 ? (
        <div class="empty">No accounts match.</div>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Handle</th>
                <th>Kind</th>
                <th>Email</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => (
                <tr>
                  <td>
                    <a href={`/admin/users/${a.handle}`}>{a.handle}</a>
                  </td>
                  <td>{a.kind}</td>
                  <td>{a.email ?? ""}</td>
                  <td>
                    {a.is_admin ? <span class="badge">administrator</span> : null}{" "}
                    {a.suspended ? <span class="badge">suspended</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager base="/admin/users" q={q} page={page} more={rows.length === PAGE} />
    </Layout>,
  );
});

async function accountPage(
  c: Context<AppEnv>,
  handle: string,
  message?: string,
  status: 200 | 400 | 403 | 409 = 200,
) {
  const a = adminAccountJson(await getAccountByHandle(c.get("forge").db, handle));
  const csrf = c.get("csrfToken");
  const base = `/admin/users/${a.handle}`;
  return c.html(
    <Layout {...meta(c, `${a.handle} · Accounts · Administration`)}>
      <h1>{a.handle}</h1>
      <AdminNav />
      <Alert message={message} />
      <p>
        {a.kind}, {a.email ?? "no email"}, since {a.created_at}. {a.is_admin ? "Administrator." : ""}{" "}
        <a href={`/${a.handle}`}>Profile</a>
      </p>
      {a.suspended ? (
        <form method="post" action={`${base}/unsuspend`} class="card">
          <CsrfField token={csrf} />
          <p>
            Suspended since {a.suspended_at}
            {a.suspended_reason ? `: ${a.suspended_reason}` : "."}
          </p>
          <button type="submit">Lift the suspension</button>
        </form>
      ) : (
        <form method="post" action={`${base}/suspend`} class="card danger-zone">
          <h2>Suspend</h2>
          <p>
            The account cannot sign in, its sessions end, its tokens stop working and its projects are hidden.
          </p>
          <CsrfField token={csrf} />
          <label for="reason">Reason (kept in the audit log)</label>
          <input id="reason" name="reason" maxlength={500} />
          <label class="choice">
            <input type="checkbox" name="confirm" value="yes" required /> I want to suspend {a.handle}
          </label>
          <p>
            <button type="submit" class="danger">
              Suspend account
            </button>
          </p>
        </form>
      )}
      {a.kind === "user" ? (
        <form method="post" action={`${base}/admin`} class="card">
          <CsrfField token={csrf} />
          <input type="hidden" name="grant" value={a.is_admin ? "no" : "yes"} />
          {a.is_admin ? (
            <label class="choice">
              <input type="checkbox" name="confirm" value="yes" required /> Revoke {a.handle}'s administrator
              role
            </label>
          ) : null}
          <button type="submit" class={a.is_admin ? "danger" : ""}>
            {a.is_admin ? "Revoke administrator" : "Make administrator"}
          </button>
        </form>
      ) : null}
    </Layout>,
    status,
  );
}

adminAccountsPages.get("/admin/users/:handle", (c) => accountPage(c, c.req.param("handle")));

/** Runs an account action; expected failures re-render the account page with the message. */
async function accountAction(
  c: Context<AppEnv>,
  action: (values: Record<string, string>) => Promise<unknown>,
) {
  const handle = c.req.param("handle") ?? "";
  const values = await formFields(c);
  try {
    await action(values);
  } catch (err) {
    const f = formFailure(err);
    return accountPage(c, handle, f.message, f.status === 409 ? 409 : f.status === 403 ? 403 : 400);
  }
  const account = await getAccountByHandle(c.get("forge").db, handle);
  return c.redirect(`/admin/users/${account.handle}`, 303);
}

/** Destructive actions need the confirmation box ticked. */
const requireConfirmed = (values: Record<string, string>) => {
  if (values.confirm !== "yes") throw invalid("Tick the confirmation box to go ahead.");
};

adminAccountsPages.post("/admin/users/:handle/suspend", (c) =>
  accountAction(c, async (v) => {
    requireConfirmed(v);
    await suspendAccount(c.get("forge").db, c.get("viewer"), c.req.param("handle"), (v.reason ?? "").trim());
  }),
);

adminAccountsPages.post("/admin/users/:handle/unsuspend", (c) =>
  accountAction(c, () => unsuspendAccount(c.get("forge").db, c.get("viewer"), c.req.param("handle"))),
);

adminAccountsPages.post("/admin/users/:handle/admin", (c) =>
  accountAction(c, async (v) => {
    const grant = v.grant === "yes";
    if (!grant) requireConfirmed(v);
    await setAdministrator(c.get("forge").db, c.get("viewer"), c.req.param("handle"), grant);
  }),
);

adminAccountsPages.get("/admin/projects", async (c) => {
  const { q, page, offset } = paging(c);
  const rows = (await searchProjects(c.get("forge").db, { q, limit: PAGE, offset })).map(adminProjectJson);
  return c.html(
    <Layout {...meta(c, "Projects · Administration")}>
      <h1>Projects</h1>
      <AdminNav />
      <SearchForm action="/admin/projects" q={q} label="Owner, handle or name" />
      {rows.length === 0 ? (
        <div class="empty">No projects match.</div>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Project</th>
                <th>Visibility</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr>
                  <td>
                    <a href={`/admin/projects/${p.owner}/${p.handle}`}>{p.full_name}</a>
                  </td>
                  <td>
                    {p.visibility}
                    {p.hidden_by_suspension ? " (hidden: owner suspended)" : ""}
                  </td>
                  <td>{p.updated_at}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager base="/admin/projects" q={q} page={page} more={rows.length === PAGE} />
    </Layout>,
  );
});

async function projectPage(
  c: Context<AppEnv>,
  errors: { transfer?: string; delete?: string } = {},
  status: 200 | 400 | 403 | 404 | 409 = 200,
) {
  const { project: p } = await getProject(
    c.get("forge").db,
    c.get("viewer"),
    c.req.param("owner") ?? "",
    c.req.param("project") ?? "",
    "admin",
  );
  const full = `${p.owner_handle}/${p.handle}`;
  const base = `/admin/projects/${full}`;
  const csrf = c.get("csrfToken");
  return c.html(
    <Layout {...meta(c, `${full} · Projects · Administration`)}>
      <h1>{full}</h1>
      <AdminNav />
      <p>
        {p.visibility}, created {p.created_at.toISOString()}. <a href={`/${full}`}>Open the project</a>
      </p>
      <form method="post" action={`${base}/transfer`} class="card">
        <h2>Transfer</h2>
        <Alert message={errors.transfer} />
        <CsrfField token={csrf} />
        <label for="new_owner">New owner (user or organization handle)</label>
        <input id="new_owner" name="owner" required maxlength={100} autocomplete="off" />
        <p>
          <button type="submit">Transfer project</button>
        </p>
      </form>
      <form method="post" action={`${base}/delete`} class="card danger-zone">
        <h2>Delete</h2>
        <p>This removes the project and its repository for everyone. It cannot be undone.</p>
        <Alert message={errors.delete} />
        <CsrfField token={csrf} />
        <label for="confirm">
          Type <code>{full}</code> to confirm
        </label>
        <input id="confirm" name="confirm" autocomplete="off" required />
        <p>
          <button type="submit" class="danger">
            Delete project
          </button>
        </p>
      </form>
    </Layout>,
    status,
  );
}

adminAccountsPages.get("/admin/projects/:owner/:project", (c) => projectPage(c));

adminAccountsPages.post("/admin/projects/:owner/:project/transfer", async (c) => {
  const values = await formFields(c);
  try {
    const p = await transferProject(
      c.get("forge").db,
      c.get("viewer"),
      c.req.param("owner"),
      c.req.param("project"),
      (values.owner ?? "").trim(),
    );
    return c.redirect(`/admin/projects/${p.owner_handle}/${p.handle}`, 303);
  } catch (err) {
    if (err instanceof AppError && err.kind === "not_found" && values.owner) {
      return projectPage(c, { transfer: err.message }, 404);
    }
    const f = formFailure(err);
    return projectPage(c, { transfer: f.message }, f.status === 409 ? 409 : 400);
  }
});

adminAccountsPages.post("/admin/projects/:owner/:project/delete", async (c) => {
  const values = await formFields(c);
  const { db, repos } = c.get("forge");
  const { project: p } = await getProject(
    db,
    c.get("viewer"),
    c.req.param("owner"),
    c.req.param("project"),
    "admin",
  );
  const full = `${p.owner_handle}/${p.handle}`;
  if ((values.confirm ?? "").trim() !== full) {
    return projectPage(
      c,
      { delete: `Type ${full} exactly to delete the project. Nothing was deleted.` },
      400,
    );
  }
  await adminDeleteProject(db, repos, c.get("viewer"), p.owner_handle, p.handle);
  return c.redirect("/admin/projects", 303);
});
