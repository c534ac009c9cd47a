// Web pages for projects: create, view, settings (rename, describe, change visibility,
// delete with typed confirmation) and the audit log for project administrators.

import { Hono } from "hono";
import type { Child } from "hono/jsx";
import { listAudit } from "../audit/audit.ts";
import { auditQuery } from "../audit/audit-export.ts";
import { AuditFilterForm, filterValues, jsonlAnswer, withFilters } from "../audit/audit-filters.tsx";
import { AuditTable } from "../audit/audit-table.tsx";
import { ChecksNotice } from "../checks/checks-notice.tsx";
import type { AppEnv } from "../http/context.ts";
import { BadgeSnippets } from "../meta/badge-snippets.tsx";
import { projectPageJsonLd } from "../meta/project-meta.ts";
import { publicOrigin } from "../meta/urls.ts";
import { projectOgImage } from "../og/og-head.ts";
import { SocialBar } from "../social/social-views.tsx";
import { StorageNotice } from "../storage/storage-notice.tsx";
import { CircuitCard } from "../trust/circuit-pages.tsx";
import { OverCapacityBanner } from "../trust/review-budget-pages.tsx";
import { Alert, CsrfField, FieldErrors, Layout } from "../web/layout.tsx";
import { formFailure, formFields, meta } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import { ownerChoices } from "./owner-choices.ts";
import { OwnerSelect, VisibilityChoice } from "./project-views.tsx";
import {
  createProject,
  deleteProject,
  getProject,
  type ProjectWithOwner,
  updateProject,
} from "./projects-service.ts";

export const projectPages = new Hono<AppEnv>();

function NewProjectForm(props: {
  values: Record<string, string>;
  owners: string[];
  errors?: Record<string, string>;
  message?: string;
  csrf: string;
}) {
  const v = props.values;
  return (
    <form method="post" action="/new" class="card">
      <h1>Create a project</h1>
      <p class="hint">
        Have a repository already? <a href="/new/import">Import it with its history</a>.
      </p>
      <Alert message={props.message} />
      <CsrfField token={props.csrf} />
      <OwnerSelect owners={props.owners} value={v.owner} />
      <label for="handle">Handle</label>
      <input id="handle" name="handle" value={v.handle ?? ""} required maxlength={100} />
      <p class="hint">Used in the project's URL and clone address.</p>
      <FieldErrors errors={props.errors} field="handle" />
      <label for="name">Name</label>
      <input id="name" name="name" value={v.name ?? ""} maxlength={100} />
      <FieldErrors errors={props.errors} field="name" />
      <label for="description">Description</label>
      <textarea id="description" name="description" maxlength={1000}>
        {v.description ?? ""}
      </textarea>
      <FieldErrors errors={props.errors} field="description" />
      <VisibilityChoice value={v.visibility ?? "public"} />
      <p>
        <button type="submit">Create project</button>
      </p>
    </form>
  );
}

projectPages.get("/new", requireSignedIn, async (c) =>
  c.html(
    <Layout {...meta(c, "New project")}>
      <NewProjectForm
        values={{ owner: c.req.query("owner") ?? "" }}
        owners={await ownerChoices(c)}
        csrf={c.get("csrfToken")}
      />
    </Layout>,
  ),
);

projectPages.post("/new", requireSignedIn, async (c) => {
  const values = await formFields(c);
  try {
    const p = await createProject(
      c.get("forge").db,
      c.get("forge").repos,
      c.get("viewer"),
      {
        handle: values.handle ?? "",
        name: values.name || undefined,
        description: values.description ?? "",
        visibility: values.visibility,
        owner: values.owner || undefined,
      },
      c.get("forge"),
    );
    return c.redirect(`/${p.owner_handle}/${p.handle}`, 303);
  } catch (err) {
    const f = formFailure(err);
    return c.html(
      <Layout {...meta(c, "New project")}>
        <NewProjectForm
          values={values}
          owners={await ownerChoices(c)}
          errors={f.fields}
          message={f.message}
          csrf={c.get("csrfToken")}
        />
      </Layout>,
      f.status,
    );
  }
});

function ProjectHeader({ p, admin }: { p: ProjectWithOwner; admin: boolean }) {
  return (
    <header>
      <h1>
        <a href={`/${p.owner_handle}`}>{p.owner_handle}</a> /{" "}
        <a href={`/${p.owner_handle}/${p.handle}`}>{p.handle}</a>{" "}
        {p.visibility === "private" ? <span class="badge">private</span> : null}
      </h1>
      <nav aria-label="Project">
        <a href={`/${p.owner_handle}/${p.handle}/sessions`}>Sessions</a> ·{" "}
        <a href={`/${p.owner_handle}/${p.handle}/prompts`}>Prompts</a> ·{" "}
        <a href={`/${p.owner_handle}/${p.handle}/activity`}>Activity</a> ·{" "}
        <a href={`/${p.owner_handle}/${p.handle}/quality`}>Quality</a>
        {admin ? (
          <>
            {" "}
            · <a href={`/${p.owner_handle}/${p.handle}/settings`}>Settings</a> ·{" "}
            <a href={`/${p.owner_handle}/${p.handle}/audit`}>Audit log</a>
          </>
        ) : null}
      </nav>
    </header>
  );
}

projectPages.get("/:owner/:project", async (c) => {
  const { project: p, role } = await getProject(
    c.get("forge").db,
    c.get("viewer"),
    c.req.param("owner"),
    c.req.param("project"),
  );
  // The code browser supplies the rest: file tree and README, or how to push to an empty repository.
  const { projectHome } = await import("../browse/project-home.tsx");
  const home = await projectHome(c, p, role);
  const jsonLd = await projectPageJsonLd(c, p);
  const image = await projectOgImage(c, p);
  return c.html(
    <Layout
      {...meta(c, `${p.owner_handle}/${p.handle}`, p.description || `${p.name} on Micelio`)}
      jsonLd={jsonLd}
      image={image}
    >
      <ProjectHeader p={p} admin={role === "admin"} />
      <SocialBar c={c} p={p} />
      <ChecksNotice forge={c.get("forge")} projectId={p.id} base={`/${p.owner_handle}/${p.handle}`} />
      <StorageNotice forge={c.get("forge")} viewer={c.get("viewer")} project={p} />
      {home}
      <BadgeSnippets p={p} origin={publicOrigin(c)} />
    </Layout>,
  );
});

function SettingsPage(props: {
  p: ProjectWithOwner;
  values: Record<string, string>;
  errors?: Record<string, string>;
  message?: string;
  saved?: boolean;
  csrf: string;
  /** The review queue's over-capacity banner (trust/review-budget-pages.tsx), when shown. */
  reviewAlert?: Child;
}) {
  const { p, values: v } = props;
  const base = `/${p.owner_handle}/${p.handle}`;
  return (
    <>
      <ProjectHeader p={p} admin />
      <form method="post" action={`${base}/settings`} class="card">
        <h2>Settings</h2>
        {props.saved ? (
          <div class="notice" role="status">
            Saved.
          </div>
        ) : null}
        <Alert message={props.message} />
        <CsrfField token={props.csrf} />
        <label for="name">Name</label>
        <input id="name" name="name" value={v.name ?? p.name} required maxlength={100} />
        <FieldErrors errors={props.errors} field="name" />
        <label for="description">Description</label>
        <textarea id="description" name="description" maxlength={1000}>
          {v.description ?? p.description}
        </textarea>
        <FieldErrors errors={props.errors} field="description" />
        <VisibilityChoice value={v.visibility ?? p.visibility} />
        <TrunkProtection p={p} values={v} />
        <AgentPolicy p={p} values={v} />
        <p>
          <button type="submit">Save changes</button>
        </p>
      </form>
      {props.reviewAlert}
      <CircuitCard p={p} csrf={props.csrf} />
      <section class="card" aria-labelledby="hooks-title">
        <h2 id="hooks-title">Webhooks</h2>
        <p>
          <a href={`${base}/settings/hooks`}>Webhooks</a>: tell chat, CI or your own service about pushes,
          sessions, validations, stars and forks, signed with a secret.
        </p>
      </section>
      <form method="post" action={`${base}/settings/delete`} class="card danger-zone">
        <h2>Delete this project</h2>
        <p>This removes the project for everyone. It cannot be undone.</p>
        <CsrfField token={props.csrf} />
        <label for="confirm">
          Type <code>{`${p.owner_handle}/${p.handle}`}</code> to confirm
        </label>
        <input id="confirm" name="confirm" autocomplete="off" required />
        <FieldErrors errors={props.errors} field="confirm" />
        <p>
          <button type="submit" class="danger">
            Delete project
          </button>
        </p>
      </form>
    </>
  );
}

projectPages.get("/:owner/:project/settings", async (c) => {
  const { project: p } = await getProject(
    c.get("forge").db,
    c.get("viewer"),
    c.req.param("owner"),
    c.req.param("project"),
    "admin",
  );
  return c.html(
    <Layout {...meta(c, `Settings · ${p.owner_handle}/${p.handle}`)}>
      <SettingsPage
        p={p}
        values={{}}
        saved={c.req.query("saved") === "1"}
        csrf={c.get("csrfToken")}
        reviewAlert={<OverCapacityBanner db={c.get("forge").db} p={p} />}
      />
    </Layout>,
  );
});

projectPages.post("/:owner/:project/settings", async (c) => {
  const db = c.get("forge").db;
  const owner = c.req.param("owner");
  const handle = c.req.param("project");
  const { project: p } = await getProject(db, c.get("viewer"), owner, handle, "admin");
  const values = await formFields(c);
  try {
    await updateProject(c.get("forge"), c.get("viewer"), owner, handle, {
      name: values.name,
      description: values.description ?? "",
      visibility: values.visibility,
      trunk_push: values.trunk_push,
      land_role: values.land_role,
      require_review: values.require_review === "on",
      agent_landing: values.agent_landing,
      max_generation_depth: values.max_generation_depth ? Number(values.max_generation_depth) : null,
      circuit_max_failures: values.circuit_max_failures ? Number(values.circuit_max_failures) : null,
    });
    return c.redirect(`/${p.owner_handle}/${p.handle}/settings?saved=1`, 303);
  } catch (err) {
    const f = formFailure(err);
    return c.html(
      <Layout {...meta(c, `Settings · ${p.owner_handle}/${p.handle}`)}>
        <SettingsPage p={p} values={values} errors={f.fields} message={f.message} csrf={c.get("csrfToken")} />
      </Layout>,
      f.status,
    );
  }
});

projectPages.post("/:owner/:project/settings/delete", async (c) => {
  const db = c.get("forge").db;
  const { project: p } = await getProject(
    db,
    c.get("viewer"),
    c.req.param("owner"),
    c.req.param("project"),
    "admin",
  );
  const values = await formFields(c);
  if ((values.confirm ?? "").trim() !== `${p.owner_handle}/${p.handle}`) {
    return c.html(
      <Layout {...meta(c, `Settings · ${p.owner_handle}/${p.handle}`)}>
        <SettingsPage
          p={p}
          values={{}}
          errors={{ confirm: `Type ${p.owner_handle}/${p.handle} exactly to delete the project.` }}
          message="The project was not deleted."
          csrf={c.get("csrfToken")}
        />
      </Layout>,
      400,
    );
  }
  await deleteProject(db, c.get("forge").repos, c.get("viewer"), p.owner_handle, p.handle);
  return c.redirect(`/${p.owner_handle}`, 303);
});

projectPages.get("/:owner/:project/audit", async (c) => {
  const db = c.get("forge").db;
  const { project: p } = await getProject(
    db,
    c.get("viewer"),
    c.req.param("owner"),
    c.req.param("project"),
    "admin",
  );
  const values = filterValues(c);
  const q = { ...auditQuery({ ...values, before: c.req.query("before") }), projectId: p.id };
  if (c.req.query("format") === "jsonl")
    return jsonlAnswer(c, db, q, `${p.owner_handle}-${p.handle}-audit.jsonl`);
  const entries = await listAudit(db, { ...q, limit: 50 });
  const base = `/${p.owner_handle}/${p.handle}/audit`;
  return c.html(
    <Layout {...meta(c, `Audit log · ${p.owner_handle}/${p.handle}`)}>
      <ProjectHeader p={p} admin />
      <h2>Audit log</h2>
      <AuditFilterForm action={base} values={values} />
      <AuditTable entries={entries} />
      {entries.length === 50 ? (
        <a href={withFilters(base, values, { before: String(entries[entries.length - 1].id) })}>
          Older entries
        </a>
      ) : null}
    </Layout>,
  );
});

/** Branch protection for trunk, part of the settings form. */
function TrunkProtection({ p, values }: { p: ProjectWithOwner; values: Record<string, string> }) {
  const push = values.trunk_push ?? p.trunk_push;
  const role = values.land_role ?? p.land_role;
  return (
    <fieldset>
      <legend>Trunk protection</legend>
      <label class="choice">
        <input type="radio" name="trunk_push" value="allowed" checked={push !== "sessions_only"} /> Direct
        pushes to main are allowed (each push is recorded as a landing)
      </label>
      <label class="choice">
        <input type="radio" name="trunk_push" value="sessions_only" checked={push === "sessions_only"} />{" "}
        Sessions only — refuse direct pushes to main
      </label>
      <label for="land_role">Who may land sessions</label>
      <select id="land_role" name="land_role">
        <option value="write" selected={role !== "admin"}>
          Everyone who can write
        </option>
        <option value="admin" selected={role === "admin"}>
          Project administrators only
        </option>
      </select>
      <label class="choice">
        <input type="checkbox" name="require_review" checked={p.require_review} /> Require an approving review
        before a session lands
      </label>
    </fieldset>
  );
}

/** What happens to agents' sessions, part of the settings form. */
function AgentPolicy({ p, values }: { p: ProjectWithOwner; values: Record<string, string> }) {
  const landing = values.agent_landing ?? p.agent_landing;
  const depth =
    values.max_generation_depth ?? (p.max_generation_depth === null ? "" : String(p.max_generation_depth));
  return (
    <fieldset>
      <legend>Agents</legend>
      <label class="choice">
        <input type="radio" name="agent_landing" value="land" checked={landing !== "review"} /> An agent's
        session that passes the quality gate lands
      </label>
      <label class="choice">
        <input type="radio" name="agent_landing" value="review" checked={landing === "review"} /> It waits for
        an administrator's approval (listed under “ready for review”)
      </label>
      <label for="max_generation_depth">Deepest generation allowed</label>
      <input
        id="max_generation_depth"
        name="max_generation_depth"
        type="number"
        min="1"
        max="100"
        inputmode="numeric"
        value={depth}
        placeholder="no limit"
        aria-describedby="max_generation_depth-help"
      />
      <p class="hint" id="max_generation_depth-help">
        1: agents act only on a person's request; 2: an agent may act on one agent's output; empty: no limit.
      </p>
      <label for="circuit_max_failures">Pause agents after this many failed validations in an hour</label>
      <input
        id="circuit_max_failures"
        name="circuit_max_failures"
        type="number"
        min="1"
        max="10000"
        inputmode="numeric"
        value={
          values.circuit_max_failures ??
          (p.circuit_max_failures === null ? "" : String(p.circuit_max_failures))
        }
        placeholder="never by itself"
      />
    </fieldset>
  );
}
