// Administration pages for accounts: search (paginated) and an account's page with suspend,
// unsuspend and the administrator role. Destructive actions need a ticked confirmation box.
import type { Context } from "hono";
import { Hono } from "hono";
import { getAccountByHandle } from "../accounts/accounts-service.ts";
import { invalid } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { limitsJson } from "../limits/limits-api.ts";
import { ProjectLimitForm } from "../limits/limits-pages.tsx";
import { Alert, CsrfField, Layout } from "../web/layout.tsx";
import { formFailure, formFields, meta } from "../web/page.ts";
import { AdminNav, PAGE, Pager, paging, SearchForm } from "./admin-nav.tsx";
import {
  adminAccountJson,
  searchAccounts,
  setAdministrator,
  suspendAccount,
  unsuspendAccount,
} from "./admin-service.ts";

export const adminAccountsPages = new Hono<AppEnv>();
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

export async function accountPage(
  c: Context<AppEnv>,
  handle: string,
  message?: string,
  status: 200 | 400 | 403 | 409 = 200,
) {
  const account = await getAccountByHandle(c.get("forge").db, handle);
  const a = adminAccountJson(account);
  const limits = await limitsJson(c.get("forge").db, account, c.get("forge").config.projectLimit);
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
      <ProjectLimitForm limits={limits} csrf={csrf} />
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
