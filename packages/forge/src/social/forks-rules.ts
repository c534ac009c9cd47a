// Visibility rule for forks: a fork of a private project holds that project's private code,
// so it stays private for as long as its parent is private (once the parent is public or
// deleted, the fork's owner may publish it).
import type { Db } from "../db/db.ts";
import type { Project } from "../db/schema.ts";
import { conflict } from "../errors/app-error.ts";

export async function requireForkMayBePublic(db: Db, project: Pick<Project, "parent_id">) {
  if (!project.parent_id) return;
  const parent = await db
    .selectFrom("projects")
    .select("visibility")
    .where("id", "=", project.parent_id)
    .executeTakeFirst();
  if (parent?.visibility === "private") {
    throw conflict("A fork of a private project stays private", [
      { field: "visibility", message: "the project this was forked from is private" },
    ]);
  }
}
