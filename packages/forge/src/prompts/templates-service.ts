// Prompt templates: a project's curated prompts, read by anyone who may read the project and
// written by its administrators (a token needs project:write). Every change is audited in the
// same transaction; a project holds at most MAX_TEMPLATES of them.

// zod as extended by @hono/zod-openapi: a schema built before the extension has no .openapi().
import { z } from "@hono/zod-openapi";
import { TEMPLATE_ID_RE, TEMPLATE_KINDS, templatePlaceholders } from "@micelio/core";
import type { Selectable } from "kysely";
import type { Viewer } from "../accounts/viewer.ts";
import { recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import type { PromptTemplatesTable } from "../db/schema.ts";
import { conflict, invalid, notFound, unauthorized } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import { getProject, type ProjectWithOwner } from "../projects/projects-service.ts";

export const MAX_TEMPLATES = 200;

const title = z
  .string()
  .trim()
  .min(1, "The title is required")
  .max(200, "The title is at most 200 characters");
const body = z
  .string()
  .trim()
  .min(1, "The prompt text is required")
  .max(50_000, "The prompt text is at most 50000 characters");
const kind = z.enum(TEMPLATE_KINDS, { message: `The kind is one of ${TEMPLATE_KINDS.join(", ")}` });

export const templateIdSchema = z
  .string()
  .regex(TEMPLATE_ID_RE, "The id is lowercase letters, digits and '-' (at most 64, not starting with '-')");

export const createTemplateSchema = z
  .object({ id: templateIdSchema, kind, title, body })
  .strict()
  .openapi("CreatePromptTemplateRequest");
export const updateTemplateSchema = z
  .object({ kind: kind.optional(), title: title.optional(), body: body.optional() })
  .strict()
  .openapi("UpdatePromptTemplateRequest");

export type TemplateRow = Selectable<PromptTemplatesTable> & { created_by_handle: string | null };

export function templateJson(p: ProjectWithOwner, t: TemplateRow) {
  return {
    id: t.id,
    project: `${p.owner_handle}/${p.handle}`,
    kind: t.kind,
    title: t.title,
    body: t.body,
    placeholders: templatePlaceholders(t.body),
    created_by: t.created_by_handle,
    created_at: t.created_at.toISOString(),
    updated_at: t.updated_at.toISOString(),
    url: `/${p.owner_handle}/${p.handle}/prompts/templates#${t.id}`,
  };
}

const selectTemplates = (db: Db, projectId: string) =>
  db
    .selectFrom("prompt_templates as t")
    .leftJoin("accounts as a", "a.id", "t.created_by")
    .selectAll("t")
    .select("a.handle as created_by_handle")
    .where("t.project_id", "=", projectId);

/** A project's templates by kind, then id. */
export async function listTemplates(db: Db, project: ProjectWithOwner): Promise<TemplateRow[]> {
  return selectTemplates(db, project.id).orderBy("t.kind").orderBy("t.id").execute();
}

export async function findTemplate(db: Db, projectId: string, id: string) {
  if (!TEMPLATE_ID_RE.test(id)) return undefined;
  return selectTemplates(db, projectId).where("t.id", "=", id).executeTakeFirst();
}

/** Whether the project has a template with this id (sessions name one in prompt.template). */
export async function templateExists(db: Db, projectId: string, id: string): Promise<boolean> {
  const row = await db
    .selectFrom("prompt_templates")
    .select("id")
    .where("project_id", "=", projectId)
    .where("id", "=", id)
    .executeTakeFirst();
  return row !== undefined;
}

const target = (p: ProjectWithOwner, id: string) => `${p.owner_handle}/${p.handle}#${id}`;

/** Loads the project for a template change: its administrators only (404 to those who cannot read it). */
async function adminProject(db: Db, viewer: Viewer, owner: string, handle: string) {
  if (!viewer.user) throw unauthorized();
  return (await getProject(db, viewer, owner, handle, "admin")).project;
}

export async function createTemplate(db: Db, viewer: Viewer, owner: string, handle: string, input: unknown) {
  const project = await adminProject(db, viewer, owner, handle);
  const data = requireValid(createTemplateSchema, input);
  try {
    await db.transaction().execute(async (trx) => {
      const count = await trx
        .selectFrom("prompt_templates")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .where("project_id", "=", project.id)
        .executeTakeFirstOrThrow();
      if (Number(count.n) >= MAX_TEMPLATES)
        throw invalid(`A project holds at most ${MAX_TEMPLATES} prompt templates`, [
          { field: "id", message: `at most ${MAX_TEMPLATES} templates per project` },
        ]);
      await trx
        .insertInto("prompt_templates")
        .values({ project_id: project.id, ...data, created_by: viewer.user!.id })
        .execute();
      await recordAudit(trx, viewer, {
        action: "prompt_template.create",
        targetType: "prompt_template",
        targetId: data.id,
        target: target(project, data.id),
        projectId: project.id,
        data: { kind: data.kind, title: data.title },
      });
    });
  } catch (err) {
    if ((err as { code?: string }).code === "23505")
      throw conflict(`The template ${data.id} already exists`, [{ field: "id", message: "already taken" }]);
    throw err;
  }
  return { project, template: (await findTemplate(db, project.id, data.id))! };
}

export async function updateTemplate(
  db: Db,
  viewer: Viewer,
  owner: string,
  handle: string,
  id: string,
  input: unknown,
) {
  const project = await adminProject(db, viewer, owner, handle);
  const patch = requireValid(updateTemplateSchema, input);
  const current = await findTemplate(db, project.id, id);
  if (!current) throw notFound(`No prompt template ${id}`);
  const changes = Object.fromEntries(
    Object.entries(patch).filter(
      ([k, v]) => v !== undefined && (current as Record<string, unknown>)[k] !== v,
    ),
  );
  if (Object.keys(changes).length === 0) return { project, template: current };
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable("prompt_templates")
      .set({ ...changes, updated_at: new Date() })
      .where("project_id", "=", project.id)
      .where("id", "=", id)
      .execute();
    await recordAudit(trx, viewer, {
      action: "prompt_template.update",
      targetType: "prompt_template",
      targetId: id,
      target: target(project, id),
      projectId: project.id,
      data: { changes: Object.keys(changes) },
    });
  });
  return { project, template: (await findTemplate(db, project.id, id))! };
}

export async function deleteTemplate(db: Db, viewer: Viewer, owner: string, handle: string, id: string) {
  const project = await adminProject(db, viewer, owner, handle);
  await db.transaction().execute(async (trx) => {
    const gone = await trx
      .deleteFrom("prompt_templates")
      .where("project_id", "=", project.id)
      .where("id", "=", id)
      .returning("title")
      .executeTakeFirst();
    if (!gone) throw notFound(`No prompt template ${id}`);
    await recordAudit(trx, viewer, {
      action: "prompt_template.delete",
      targetType: "prompt_template",
      targetId: id,
      target: target(project, id),
      projectId: project.id,
      data: { title: gone.title },
    });
  });
  return project;
}
