// The prompt templates page (/{owner}/{project}/prompts/templates): every template with an
// anchor of its id (sessions link to #id), its kind, text and placeholders; for project
// administrators, forms to add, edit and delete them (CSRF-protected posts that call the same
// service as the API, so each change is audited). A failed form shows again with its errors.
import { TEMPLATE_KINDS } from "@micelio/core";
import type { Context } from "hono";
import { Hono } from "hono";
import type { Db } from "../db/db.ts";
import type { AppEnv } from "../http/context.ts";
import { getProject, type ProjectWithOwner } from "../projects/projects-service.ts";
import { projectBase, projectPage } from "../sessions/session-views.tsx";
import { Alert, CsrfField, FieldErrors } from "../web/layout.tsx";
import { type FormFailure, formFailure, formFields } from "../web/page.ts";
import {
  createTemplate,
  deleteTemplate,
  listTemplates,
  type TemplateRow,
  templateJson,
  updateTemplate,
} from "./templates-service.ts";

export const templatesPages = new Hono<AppEnv>();

interface FormState {
  /** "new", or the id of the template whose form failed. */
  form: string;
  values: Record<string, string>;
  failure: FormFailure;
}

function TemplateFields(props: {
  prefix: string;
  values: Record<string, string>;
  errors?: Record<string, string>;
}) {
  const { prefix, values: v } = props;
  return (
    <>
      <label for={`${prefix}-kind`}>Kind</label>
      <select id={`${prefix}-kind`} name="kind">
        {TEMPLATE_KINDS.map((k) => (
          <option value={k} selected={v.kind === k}>
            {k}
          </option>
        ))}
      </select>
      <FieldErrors errors={props.errors} field="kind" />
      <label for={`${prefix}-title`}>Title</label>
      <input id={`${prefix}-title`} name="title" value={v.title ?? ""} required maxlength={200} />
      <FieldErrors errors={props.errors} field="title" />
      <label for={`${prefix}-body`}>Prompt text</label>
      <textarea id={`${prefix}-body`} name="body" required maxlength={50000} rows={8}>
        {v.body ?? ""}
      </textarea>
      <p class="hint">
        Mark what an agent fills in with placeholders such as {"{{issue}}"} or {"{{file}}"}.
      </p>
      <FieldErrors errors={props.errors} field="body" />
    </>
  );
}

function TemplateCard(props: {
  p: ProjectWithOwner;
  t: TemplateRow;
  admin: boolean;
  csrf: string;
  state?: FormState;
}) {
  const { p, t, state } = props;
  const json = templateJson(p, t);
  const base = `${projectBase(p)}/prompts/templates/${t.id}`;
  const failed = state?.form === t.id ? state : undefined;
  return (
    <article id={t.id} class="card prompt-template">
      <h3>
        <a href={`#${t.id}`}>{t.title}</a> <span class="badge">{t.kind}</span> <code>{t.id}</code>
      </h3>
      <pre class="prompt-text">{t.body}</pre>
      <p class="hint">
        {json.placeholders.length ? (
          <>Placeholders: {json.placeholders.map((n) => `{{${n}}}`).join(", ")} · </>
        ) : null}
        Use it: <code>mic session start "…" --template {t.id} --prompt-file prompt.md</code> ·{" "}
        <a href={`${projectBase(p)}/prompts?template=${t.id}`}>Sessions that used it</a>
        {t.created_by_handle ? <> · added by {t.created_by_handle}</> : null}
      </p>
      {props.admin ? (
        <details open={failed !== undefined}>
          <summary>Edit or delete</summary>
          <form method="post" action={base}>
            <Alert message={failed?.failure.message} />
            <CsrfField token={props.csrf} />
            <TemplateFields
              prefix={`edit-${t.id}`}
              values={failed?.values ?? { kind: t.kind, title: t.title, body: t.body }}
              errors={failed?.failure.fields}
            />
            <button type="submit">Save template</button>
          </form>
          <form method="post" action={`${base}/delete`} class="inline">
            <CsrfField token={props.csrf} />
            <button type="submit" class="danger">
              Delete template
            </button>
          </form>
        </details>
      ) : null}
    </article>
  );
}

/** A new template's fields from a session's prompt of this project (?from=<session id>). */
async function fromSession(db: Db, projectId: string, id: string | undefined) {
  if (!id || !/^[0-9A-Z]{26}$/.test(id)) return undefined;
  const s = await db
    .selectFrom("sessions")
    .select(["goal", "prompt"])
    .where("project_id", "=", projectId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!s?.prompt) return undefined;
  return { kind: "bug-fix", title: s.goal.slice(0, 200), body: s.prompt.slice(0, 50_000) };
}

async function render(c: Context<AppEnv>, state?: FormState) {
  const db = c.get("forge").db;
  const { project: p, role } = await getProject(
    db,
    c.get("viewer"),
    c.req.param("owner")!,
    c.req.param("project")!,
  );
  const admin = role === "admin";
  const templates = await listTemplates(db, p);
  const csrf = c.get("csrfToken");
  const fresh = state?.form === "new" ? state : undefined;
  const seed = admin && !state ? await fromSession(db, p.id, c.req.query("from")) : undefined;
  const page = projectPage(
    c,
    p,
    "Prompt templates",
    "prompts",
    <>
      <h2>Prompt templates</h2>
      <p class="hint">
        Prompts the maintainers curated for agents to start from; a session names the one it used (
        <code>prompt.template</code>). <a href={`${projectBase(p)}/prompts`}>Search this project's prompts</a>
      </p>
      {c.req.query("saved") ? <p class="notice">Saved.</p> : null}
      {templates.length ? (
        templates.map((t) => <TemplateCard p={p} t={t} admin={admin} csrf={csrf} state={state} />)
      ) : (
        <p class="empty">
          No prompt templates yet.{" "}
          {admin ? "Add the prompts that work well below." : "The project's administrators curate them."}
        </p>
      )}
      {admin ? (
        <form method="post" action={`${projectBase(p)}/prompts/templates`} class="card" id="new-template">
          <h3>Add a template</h3>
          <Alert message={fresh?.failure.message} />
          <CsrfField token={csrf} />
          <label for="new-id">Id</label>
          <input
            id="new-id"
            name="id"
            value={fresh?.values.id ?? ""}
            required
            maxlength={64}
            pattern="[a-z0-9][a-z0-9\-]{0,63}"
          />
          <p class="hint">Lowercase letters, digits and '-', e.g. fix-flaky-test; agents name it.</p>
          <FieldErrors errors={fresh?.failure.fields} field="id" />
          <TemplateFields
            prefix="new"
            values={fresh?.values ?? seed ?? { kind: "bug-fix" }}
            errors={fresh?.failure.fields}
          />
          <button type="submit">Add template</button>
        </form>
      ) : null}
    </>,
  );
  const res = await page;
  return state ? new Response(res.body, { status: state.failure.status, headers: res.headers }) : res;
}

templatesPages.get("/:owner/:project/prompts/templates", (c) => render(c));

/** Runs a form's change; on an expected failure, the page again with the form's errors. */
async function submit(
  c: Context<AppEnv>,
  form: string,
  change: (values: Record<string, string>) => Promise<unknown>,
  anchor: string,
) {
  const values = await formFields(c);
  try {
    await change(values);
  } catch (err) {
    return render(c, { form, values, failure: formFailure(err) });
  }
  const base = `/${c.req.param("owner")}/${c.req.param("project")}/prompts/templates`;
  return c.redirect(`${base}?saved=1${anchor}`, 303);
}

const fields = (v: Record<string, string>) => ({ kind: v.kind, title: v.title, body: v.body });

templatesPages.post("/:owner/:project/prompts/templates", (c) =>
  submit(
    c,
    "new",
    (v) =>
      createTemplate(c.get("forge").db, c.get("viewer"), c.req.param("owner"), c.req.param("project"), {
        id: v.id,
        ...fields(v),
      }),
    "",
  ),
);

templatesPages.post("/:owner/:project/prompts/templates/:id", (c) =>
  submit(
    c,
    c.req.param("id"),
    (v) =>
      updateTemplate(
        c.get("forge").db,
        c.get("viewer"),
        c.req.param("owner"),
        c.req.param("project"),
        c.req.param("id"),
        fields(v),
      ),
    `#${c.req.param("id")}`,
  ),
);

templatesPages.post("/:owner/:project/prompts/templates/:id/delete", (c) =>
  submit(
    c,
    c.req.param("id"),
    () =>
      deleteTemplate(
        c.get("forge").db,
        c.get("viewer"),
        c.req.param("owner"),
        c.req.param("project"),
        c.req.param("id"),
      ),
    "",
  ),
);
