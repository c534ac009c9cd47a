// Web pages for stars and forks: the star/unstar form action, the fork form (owner among
// the user's account and organizations, and a handle), and the lists of a project's
// stargazers and forks. Every page opens the project through getProject (404 if unreadable).
import { type Context, Hono } from "hono";
import type { Child } from "hono/jsx";
import type { AppEnv } from "../http/context.ts";
import { ownerChoices } from "../projects/owner-choices.ts";
import { OwnerSelect, ProjectList } from "../projects/project-views.tsx";
import { getProject, type ProjectWithOwner } from "../projects/projects-service.ts";
import { Alert, CsrfField, FieldErrors, Layout } from "../web/layout.tsx";
import { formFailure, formFields, meta } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import { forkProject, listForks } from "./forks-service.ts";
import { listStargazers, setStar } from "./stars-service.ts";

export const socialPages = new Hono<AppEnv>();
const PAGE = 30;

const name = (p: ProjectWithOwner) => `${p.owner_handle}/${p.handle}`;
const pageOf = (c: Context<AppEnv>) => Math.max(1, Math.min(Number(c.req.query("page")) || 1, 1000));

function Pager({ c, page, more }: { c: Context<AppEnv>; page: number; more: boolean }) {
  const path = new URL(c.req.url).pathname;
  return (
    <p class="pager">
      {page > 1 ? <a href={`${path}?page=${page - 1}`}>Newer</a> : null}{" "}
      {more ? <a href={`${path}?page=${page + 1}`}>Older</a> : null}
    </p>
  );
}

socialPages.post("/:owner/:project/star", requireSignedIn, async (c) => {
  const values = await formFields(c);
  const p = await setStar(
    c.get("forge").db,
    c.get("viewer"),
    c.req.param("owner"),
    c.req.param("project"),
    values.star !== "0",
  );
  return c.redirect(`/${name(p)}`, 303);
});

function ForkForm(props: {
  p: ProjectWithOwner;
  owners: string[];
  values: Record<string, string>;
  errors?: Record<string, string>;
  message?: string;
  csrf: string;
}) {
  const { p, values } = props;
  return (
    <form method="post" action={`/${name(p)}/fork`} class="card">
      <h1>
        Fork <a href={`/${name(p)}`}>{name(p)}</a>
      </h1>
      <p class="hint">
        The fork starts with every branch and tag of {name(p)}
        {p.visibility === "private" ? " and stays private" : ""}.
      </p>
      <Alert message={props.message} />
      <CsrfField token={props.csrf} />
      <OwnerSelect owners={props.owners} value={values.owner} />
      <FieldErrors errors={props.errors} field="owner" />
      <label for="handle">Handle</label>
      <input id="handle" name="handle" value={values.handle ?? p.handle} required maxlength={100} />
      <FieldErrors errors={props.errors} field="handle" />
      <p>
        <button type="submit">Fork project</button>
      </p>
    </form>
  );
}

socialPages.get("/:owner/:project/fork", requireSignedIn, async (c) => {
  const { project: p } = await getProject(
    c.get("forge").db,
    c.get("viewer"),
    c.req.param("owner"),
    c.req.param("project"),
  );
  return c.html(
    <Layout {...meta(c, `Fork ${name(p)}`)}>
      <ForkForm p={p} owners={await ownerChoices(c)} values={{}} csrf={c.get("csrfToken")} />
    </Layout>,
  );
});

socialPages.post("/:owner/:project/fork", requireSignedIn, async (c) => {
  const { project: p } = await getProject(
    c.get("forge").db,
    c.get("viewer"),
    c.req.param("owner"),
    c.req.param("project"),
  );
  const values = await formFields(c);
  try {
    const fork = await forkProject(c.get("forge"), c.get("viewer"), p.owner_handle, p.handle, {
      owner: values.owner || undefined,
      handle: values.handle || undefined,
    });
    return c.redirect(`/${name(fork)}`, 303);
  } catch (err) {
    const f = formFailure(err);
    return c.html(
      <Layout {...meta(c, `Fork ${name(p)}`)}>
        <ForkForm
          p={p}
          owners={await ownerChoices(c)}
          values={values}
          errors={f.fields}
          message={f.message}
          csrf={c.get("csrfToken")}
        />
      </Layout>,
      f.status,
    );
  }
});

/** The rows a list page reads: one more than it shows, to know whether there is an older page. */
const windowOf = (page: number) => ({ limit: PAGE + 1, offset: (page - 1) * PAGE });

/** A list about a project (its forks, its stargazers) under a heading linking to it, PAGE rows a page. */
function listPage<T>(
  c: Context<AppEnv>,
  { title, project: p, page, rows }: { title: string; project: ProjectWithOwner; page: number; rows: T[] },
  list: (shown: T[]) => Child,
) {
  if (p.visibility === "private") c.header("Cache-Control", "private, no-cache");
  return c.html(
    <Layout {...meta(c, `${title} · ${name(p)}`)}>
      <h1>
        {title} of <a href={`/${name(p)}`}>{name(p)}</a>
      </h1>
      {list(rows.slice(0, PAGE))}
      <Pager c={c} page={page} more={rows.length > PAGE} />
    </Layout>,
  );
}

socialPages.get("/:owner/:project/forks", async (c) => {
  const page = pageOf(c);
  const { project, forks } = await listForks(
    c.get("forge"),
    c.get("viewer"),
    c.req.param("owner"),
    c.req.param("project"),
    windowOf(page),
  );
  return listPage(c, { title: "Forks", project, page, rows: forks }, (shown) => (
    <ProjectList projects={shown} empty={<p>No forks yet.</p>} />
  ));
});

socialPages.get("/:owner/:project/stargazers", async (c) => {
  const page = pageOf(c);
  const { project, users } = await listStargazers(
    c.get("forge").db,
    c.get("viewer"),
    c.req.param("owner"),
    c.req.param("project"),
    windowOf(page),
  );
  return listPage(c, { title: "Stargazers", project, page, rows: users }, (shown) =>
    shown.length === 0 ? (
      <div class="empty">
        <p>No stars yet.</p>
      </div>
    ) : (
      <ul class="list">
        {shown.map((u) => (
          <li>
            <a href={`/${u.handle}`}>{u.display_name || u.handle}</a>{" "}
            {u.display_name && u.display_name !== u.handle ? <span class="hint">@{u.handle}</span> : null}
          </li>
        ))}
      </ul>
    ),
  );
});
