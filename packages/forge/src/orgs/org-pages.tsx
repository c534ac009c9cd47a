// Web pages for organizations: create one, and manage its members (owners only).
import { Hono } from "hono";
import { isAdmin } from "../accounts/viewer.ts";
import type { Account } from "../db/schema.ts";
import { notFound } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { Alert, CsrfField, FieldErrors, Layout } from "../web/layout.tsx";
import { formFailure, formFields, meta } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import { createOrg, getOrg, listMembers, orgRole, putMember, removeMember } from "./orgs-service.ts";

export const orgPages = new Hono<AppEnv>();

function NewOrgForm(props: {
  values: Record<string, string>;
  errors?: Record<string, string>;
  message?: string;
  csrf: string;
}) {
  const v = props.values;
  return (
    <form method="post" action="/orgs/new" class="card">
      <h1>Create an organization</h1>
      <Alert message={props.message} />
      <CsrfField token={props.csrf} />
      <label for="handle">Handle</label>
      <input id="handle" name="handle" value={v.handle ?? ""} required maxlength={39} />
      <FieldErrors errors={props.errors} field="handle" />
      <label for="name">Display name</label>
      <input id="name" name="name" value={v.name ?? ""} maxlength={100} />
      <FieldErrors errors={props.errors} field="name" />
      <label for="description">Description</label>
      <textarea id="description" name="description" maxlength={500}>
        {v.description ?? ""}
      </textarea>
      <p>
        <button type="submit">Create organization</button>
      </p>
    </form>
  );
}

orgPages.get("/orgs/new", requireSignedIn, (c) =>
  c.html(
    <Layout {...meta(c, "New organization")}>
      <NewOrgForm values={{}} csrf={c.get("csrfToken")} />
    </Layout>,
  ),
);

orgPages.post("/orgs/new", requireSignedIn, async (c) => {
  const values = await formFields(c);
  try {
    const org = await createOrg(c.get("forge").db, c.get("viewer"), {
      handle: values.handle ?? "",
      name: values.name || undefined,
      description: values.description || undefined,
    });
    return c.redirect(`/${org.handle}`, 303);
  } catch (err) {
    const f = formFailure(err);
    return c.html(
      <Layout {...meta(c, "New organization")}>
        <NewOrgForm values={values} errors={f.fields} message={f.message} csrf={c.get("csrfToken")} />
      </Layout>,
      f.status,
    );
  }
});

/** The members page is for owners (and administrators); to anyone else it does not exist. */
async function ownedOrg(c: Parameters<typeof meta>[0]): Promise<Account> {
  const db = c.get("forge").db;
  const org = await getOrg(db, c.req.param("org")!);
  const viewer = c.get("viewer");
  if (!isAdmin(viewer) && (await orgRole(db, org.id, viewer.user?.id)) !== "owner") throw notFound();
  return org;
}

async function membersPage(
  c: Parameters<typeof meta>[0],
  org: Account,
  failure?: { message: string; fields: Record<string, string> },
  status: 200 | 400 | 403 | 404 | 409 = 200,
) {
  const members = await listMembers(c.get("forge").db, org.id);
  const csrf = c.get("csrfToken");
  return c.html(
    <Layout {...meta(c, `Members · ${org.handle}`)}>
      <h1>
        <a href={`/${org.handle}`}>{org.display_name || org.handle}</a> · members
      </h1>
      <p>
        <a href={`/orgs/${org.handle}/hooks`}>Webhooks</a> of the organization: events of all its projects.{" "}
        <a href={`/orgs/${org.handle}/storage`}>Artifact storage</a>: the organization's own bucket.{" "}
        <a href={`/orgs/${org.handle}/tokens`}>Access tokens</a> for CI and agents on its projects.
      </p>
      <Alert message={failure?.message} />
      <ul class="list">
        {members.map((m) => (
          <li>
            <a href={`/${m.handle}`}>{m.name}</a> <span class="badge">{m.role}</span>
            <form method="post" action={`/orgs/${org.handle}/members/remove`} class="inline">
              <CsrfField token={csrf} />
              <input type="hidden" name="user" value={m.handle} />{" "}
              <button type="submit" class="link">
                Remove
              </button>
            </form>
          </li>
        ))}
      </ul>
      <form method="post" action={`/orgs/${org.handle}/members`} class="card">
        <h2>Add a member or change a role</h2>
        <CsrfField token={csrf} />
        <label for="user">Handle</label>
        <input id="user" name="user" required maxlength={39} />
        <FieldErrors errors={failure?.fields} field="user" />
        <label for="role">Role</label>
        <select id="role" name="role">
          <option value="member">member</option>
          <option value="owner">owner</option>
        </select>
        <p>
          <button type="submit">Save</button>
        </p>
      </form>
    </Layout>,
    status,
  );
}

orgPages.get("/orgs/:org/members", requireSignedIn, async (c) => membersPage(c, await ownedOrg(c)));

orgPages.post("/orgs/:org/members", requireSignedIn, async (c) => {
  const org = await ownedOrg(c);
  const values = await formFields(c);
  try {
    await putMember(c.get("forge").db, c.get("viewer"), org, { user: values.user ?? "", role: values.role });
    return c.redirect(`/orgs/${org.handle}/members`, 303);
  } catch (err) {
    const f = formFailure(err);
    return membersPage(c, org, f, f.status as 400);
  }
});

orgPages.post("/orgs/:org/members/remove", requireSignedIn, async (c) => {
  const org = await ownedOrg(c);
  const values = await formFields(c);
  try {
    await removeMember(c.get("forge").db, c.get("forge").repos, c.get("viewer"), org, values.user ?? "");
    return c.redirect(`/orgs/${org.handle}/members`, 303);
  } catch (err) {
    const f = formFailure(err);
    return membersPage(c, org, f, f.status as 400);
  }
});
