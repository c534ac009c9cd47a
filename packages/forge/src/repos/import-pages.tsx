// The "Import a repository" page: a new project filled from an uploaded git bundle in one
// step. If the import fails, the new project is removed again and the form says why.
import { Hono } from "hono";
import { AppError } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { ownerChoices } from "../projects/owner-choices.ts";
import { OwnerSelect, VisibilityChoice } from "../projects/project-views.tsx";
import { createProject, deleteProject } from "../projects/projects-service.ts";
import { Alert, CsrfField, FieldErrors, Layout } from "../web/layout.tsx";
import { formFailure, formFields, meta } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import { importUploadedBundle } from "./import-service.ts";

export const importPages = new Hono<AppEnv>();

function ImportForm(props: {
  owners: string[];
  values: Record<string, string>;
  errors?: Record<string, string>;
  message?: string;
  csrf: string;
}) {
  const v = props.values;
  return (
    <form method="post" action="/new/import" enctype="multipart/form-data" class="card">
      <h1>Import a repository</h1>
      <p class="hint">
        Create a bundle of your repository with <code>git bundle create repo.bundle --all</code> and upload it
        here. Every branch, tag and commit comes over. (Or create an empty project and{" "}
        <code>git push --mirror</code> to it.)
      </p>
      <Alert message={props.message} />
      <CsrfField token={props.csrf} />
      <OwnerSelect owners={props.owners} value={v.owner} />
      <label for="handle">Handle</label>
      <input id="handle" name="handle" value={v.handle ?? ""} required maxlength={100} />
      <FieldErrors errors={props.errors} field="handle" />
      <label for="description">Description</label>
      <textarea id="description" name="description" maxlength={1000}>
        {v.description ?? ""}
      </textarea>
      <VisibilityChoice value={v.visibility ?? "public"} />
      <label for="bundle">Git bundle</label>
      <input id="bundle" name="bundle" type="file" accept=".bundle" required />
      <FieldErrors errors={props.errors} field="bundle" />
      <p>
        <button type="submit">Import</button>
      </p>
    </form>
  );
}

importPages.get("/new/import", requireSignedIn, async (c) =>
  c.html(
    <Layout {...meta(c, "Import a repository")}>
      <ImportForm owners={await ownerChoices(c)} values={{}} csrf={c.get("csrfToken")} />
    </Layout>,
  ),
);

// The upload's size is capped before anything reads it (http/web-body-limit.ts).
importPages.post("/new/import", requireSignedIn, async (c) => {
  const forge = c.get("forge");
  const viewer = c.get("viewer");
  const values = await formFields(c);
  const file = (await c.req.parseBody()).bundle;
  const fail = async (status: 400 | 403 | 409 | 413, message: string, fields: Record<string, string> = {}) =>
    c.html(
      <Layout {...meta(c, "Import a repository")}>
        <ImportForm
          owners={await ownerChoices(c)}
          values={values}
          errors={fields}
          message={message}
          csrf={c.get("csrfToken")}
        />
      </Layout>,
      status,
    );
  if (!(file instanceof File) || file.size === 0)
    return fail(400, "Choose a git bundle to upload", { bundle: "required" });
  let project: Awaited<ReturnType<typeof createProject>>;
  try {
    project = await createProject(
      forge.db,
      forge.repos,
      viewer,
      {
        handle: values.handle ?? "",
        description: values.description ?? "",
        visibility: values.visibility,
        owner: values.owner || undefined,
      },
      forge,
    );
  } catch (err) {
    const f = formFailure(err);
    return fail(f.status as 400, f.message, f.fields);
  }
  try {
    await importUploadedBundle(forge, viewer, project.owner_handle, project.handle, file.stream());
  } catch (err) {
    await deleteProject(forge.db, forge.repos, viewer, project.owner_handle, project.handle);
    if (
      err instanceof AppError &&
      (err.kind === "invalid" || err.kind === "too_large" || err.kind === "conflict")
    ) {
      return fail(err.kind === "too_large" ? 413 : 400, `Import failed: ${err.message}`, {
        bundle: err.message,
      });
    }
    throw err;
  }
  return c.redirect(`/${project.owner_handle}/${project.handle}`, 303);
});
