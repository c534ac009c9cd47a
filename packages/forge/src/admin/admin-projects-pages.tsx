// Administration pages for projects: search (paginated) and a project's page with transfer
// (a handle collision is refused) and delete (the full name typed out to confirm).
import type { Context } from "hono";
import { Hono } from "hono";
import { AppError } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { getProject } from "../projects/projects-service.ts";
import { Alert, CsrfField, Layout } from "../web/layout.tsx";
import { formFailure, formFields, meta } from "../web/page.ts";
import { AdminNav, PAGE, Pager, paging, SearchForm } from "./admin-nav.tsx";
import { adminDeleteProject, adminProjectJson, searchProjects, transferProject } from "./admin-service.ts";

export const adminProjectsPages = new Hono<AppEnv>();

adminProjectsPages.get("/admin/projects", async (c) => {
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

adminProjectsPages.get("/admin/projects/:owner/:project", (c) => projectPage(c));

adminProjectsPages.post("/admin/projects/:owner/:project/transfer", async (c) => {
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

adminProjectsPages.post("/admin/projects/:owner/:project/delete", async (c) => {
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
