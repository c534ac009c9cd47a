// Administration pages for the instance as a whole: the overview (accounts, projects, disk
// use, jobs, recent errors) and registration (the mode, and invite links).
import type { Context } from "hono";
import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";
import { Alert, CsrfField, Layout, PostButton } from "../web/layout.tsx";
import { formFailure, formFields, meta } from "../web/page.ts";
import { AdminNav, formatBytes } from "./admin-nav.tsx";
import { inviteUrl } from "./admin-schemas.ts";
import { instanceOverview } from "./overview.ts";
import {
  createInvite,
  inviteJson,
  listInvites,
  REGISTRATION_MODES,
  registrationMode,
  revokeInvite,
  setRegistrationMode,
} from "./registration.ts";

export const adminInstancePages = new Hono<AppEnv>();

adminInstancePages.get("/admin", async (c) => {
  const o = await instanceOverview(c.get("forge").db, c.get("forge").repos.root);
  return c.html(
    <Layout {...meta(c, "Administration")}>
      <h1>Administration</h1>
      <AdminNav />
      <div class="table-wrap">
        <table>
          <tbody>
            <tr>
              <th scope="row">Accounts</th>
              <td>
                {o.accounts.users} users, {o.accounts.organizations} organizations ({o.accounts.suspended}{" "}
                suspended)
              </td>
            </tr>
            <tr>
              <th scope="row">Projects</th>
              <td>
                {o.projects.public} public, {o.projects.private} private
              </td>
            </tr>
            <tr>
              <th scope="row">Sessions landed</th>
              <td>{o.sessions_landed}</td>
            </tr>
            <tr>
              <th scope="row">Repository disk use</th>
              <td>
                {formatBytes(o.repository_disk.bytes)}{" "}
                <span class="hint">(measured {o.repository_disk.measured_at}, at most once a minute)</span>
              </td>
            </tr>
            <tr>
              <th scope="row">Job queue</th>
              <td>
                {o.jobs.queued} queued or running, <a href="/admin/jobs?state=dead">{o.jobs.dead} dead</a>
              </td>
            </tr>
          </tbody>
        </table>
      </div>
      <h2>Recent errors</h2>
      <p class="hint">The last errors of dead jobs, and landings refused because of conflicts.</p>
      {o.recent_errors.length === 0 ? (
        <div class="empty">No recent errors.</div>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>When</th>
                <th>What</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {o.recent_errors.map((e) => (
                <tr>
                  <td>{e.at}</td>
                  <td>{e.subject}</td>
                  <td>{e.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>,
  );
});

async function registrationPage(
  c: Context<AppEnv>,
  extra: { created?: { url: string; expires: string }; message?: string } = {},
  status: 200 | 400 | 404 = 200,
) {
  const forge = c.get("forge");
  const [mode, invites] = await Promise.all([
    registrationMode(forge.db, forge.config),
    listInvites(forge.db),
  ]);
  const csrf = c.get("csrfToken");
  return c.html(
    <Layout {...meta(c, "Registration · Administration")}>
      <h1>Registration</h1>
      <AdminNav />
      <Alert message={extra.message} />
      <form method="post" action="/admin/registration" class="card">
        <CsrfField token={csrf} />
        <fieldset>
          <legend>Who may create an account</legend>
          {REGISTRATION_MODES.map((m) => (
            <label class="choice">
              <input type="radio" name="mode" value={m} checked={m === mode} />{" "}
              {m === "open"
                ? "Open — anyone"
                : m === "invite-only"
                  ? "Invite-only — with an invite link"
                  : "Closed — nobody"}
            </label>
          ))}
        </fieldset>
        <p>
          <button type="submit">Save</button>
        </p>
      </form>
      <h2>Invites</h2>
      {extra.created ? (
        <div class="card" role="status">
          <p>New invite link (shown only now; it works once, until {extra.created.expires}):</p>
          <p>
            <code>{extra.created.url}</code>
          </p>
        </div>
      ) : null}
      <form method="post" action="/admin/invites" class="card">
        <CsrfField token={csrf} />
        <label for="note">Note (whom it is for)</label>
        <input id="note" name="note" maxlength={200} />
        <label for="expires_in_days">Valid for (days)</label>
        <input id="expires_in_days" name="expires_in_days" type="number" min={1} max={90} value="7" />
        <p>
          <button type="submit">Create invite link</button>
        </p>
      </form>
      {invites.length === 0 ? (
        <div class="empty">No invites yet.</div>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Note</th>
                <th>State</th>
                <th>Expires</th>
                <th>Created by</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {invites.map(inviteJson).map((i) => (
                <tr>
                  <td>{i.note}</td>
                  <td>{i.state === "used" ? `used by ${i.used_by ?? "a deleted account"}` : i.state}</td>
                  <td>{i.expires_at}</td>
                  <td>{i.created_by ?? ""}</td>
                  <td>
                    {i.state === "valid" ? (
                      <PostButton action={`/admin/invites/${i.id}/revoke`} csrf={csrf} class="small danger">
                        Revoke
                      </PostButton>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>,
    status,
  );
}

adminInstancePages.get("/admin/registration", (c) => registrationPage(c));

adminInstancePages.post("/admin/registration", async (c) => {
  const forge = c.get("forge");
  const values = await formFields(c);
  try {
    await setRegistrationMode(forge.db, c.get("viewer"), forge.config, { mode: values.mode });
  } catch (err) {
    return registrationPage(c, { message: formFailure(err).message }, 400);
  }
  return c.redirect("/admin/registration", 303);
});

adminInstancePages.post("/admin/invites", async (c) => {
  const values = await formFields(c);
  try {
    const { invite, token } = await createInvite(c.get("forge").db, c.get("viewer"), {
      note: values.note ?? "",
      expires_in_days: values.expires_in_days || undefined,
    });
    return registrationPage(c, {
      created: { url: inviteUrl(c, token), expires: invite.expires_at.toISOString() },
    });
  } catch (err) {
    return registrationPage(c, { message: formFailure(err).message }, 400);
  }
});

adminInstancePages.post("/admin/invites/:id/revoke", async (c) => {
  await revokeInvite(c.get("forge").db, c.get("viewer"), c.req.param("id").slice(0, 40));
  return c.redirect("/admin/registration", 303);
});
