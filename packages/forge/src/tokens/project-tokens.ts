// Project-scoped tokens: a token limited to chosen projects ("owner/name", stored as project
// ids), for CI and agents. Such a token carries only project scopes, and every project outside
// its list answers as if it did not exist (projects/access.ts decides, for every route). Names
// are resolved when the token is made (the maker must be able to read each project with a full
// credential) and shown by their current names when tokens are listed.
import { z } from "@hono/zod-openapi";
import type { Scope } from "@micelio/core";
import type { Kysely } from "kysely";
import type { Viewer } from "../accounts/viewer.ts";
import type { Account, Database } from "../db/schema.ts";
import { AppError, invalid } from "../errors/app-error.ts";
import { getProject } from "../projects/projects-service.ts";

/** The scopes a project token may carry: account-level powers make no sense on it. */
export const PROJECT_TOKEN_SCOPES: readonly Scope[] = ["project:read", "project:write", "session:write"];
export const MAX_TOKEN_PROJECTS = 100;

export const projectsField = z
  .array(
    z
      .string()
      .max(201)
      .regex(/^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/, "Name projects as owner/name"),
  )
  .min(1, "Name at least one project")
  .max(MAX_TOKEN_PROJECTS, `At most ${MAX_TOKEN_PROJECTS} projects`)
  .openapi({
    description:
      'Limits the token to these projects ("owner/name"): every other project, public ones included, does not exist for it. Only project:read, project:write and session:write go with it.',
  });

/** Refuses scopes a project token may not carry. */
export function requireProjectScopes(scopes: readonly Scope[]) {
  const extra = scopes.filter((s) => !PROJECT_TOKEN_SCOPES.includes(s));
  if (extra.length > 0) {
    throw invalid(
      `A project token carries only ${PROJECT_TOKEN_SCOPES.join(", ")}; not ${extra.join(", ")}`,
      [{ field: "scopes", message: "not allowed on a project token" }],
    );
  }
}

/**
 * The ids of the named projects, each readable by `user` with a full credential (and owned
 * by `orgId` when given); 400 naming the first that is not.
 */
export async function resolveProjectIds(
  db: Kysely<Database>,
  user: Account,
  names: readonly string[],
  orgId: string | null,
): Promise<string[]> {
  const full: Viewer = { user, scopes: ["project:read", "project:write"], ip: "" };
  const ids: string[] = [];
  for (const name of new Set(names.map((n) => n.toLowerCase()))) {
    const [owner, handle] = name.split("/");
    const failed = (message: string) =>
      invalid(`${name}: ${message}`, [{ field: "projects", message: `${name}: ${message}` }]);
    try {
      const { project } = await getProject(db, full, owner, handle, "read");
      if (orgId !== null && project.owner_id !== orgId) throw failed("not a project of this organization");
      ids.push(project.id);
    } catch (err) {
      if (err instanceof AppError && err.kind === "not_found") throw failed("no such project");
      throw err;
    }
  }
  return ids;
}

/** "owner/name" of each id that still names a project (deleted ones drop out). */
export async function projectNames(
  db: Kysely<Database>,
  ids: readonly string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom("projects")
    .innerJoin("accounts", "accounts.id", "projects.owner_id")
    .select(["projects.id", "accounts.handle as owner", "projects.handle"])
    .where("projects.id", "in", [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, `${r.owner}/${r.handle}`]));
}
