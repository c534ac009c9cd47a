// "owner/project" names of projects by id, for records that point into other projects (a
// fork's inherited landings point at its parent's sessions): the project being read always,
// the others only where the viewer may read them, so a hidden project's name never shows.
import type { Viewer } from "../accounts/viewer.ts";
import type { Db } from "../db/db.ts";
import { whereVisible } from "./access.ts";

export async function projectNames(
  db: Db,
  own: string,
  ids: string[],
  viewer?: Viewer,
): Promise<Map<string, string>> {
  const others = [...new Set(ids)].filter((id) => id !== own);
  const query = () =>
    db
      .selectFrom("projects")
      .innerJoin("accounts", "accounts.id", "projects.owner_id")
      .select(["projects.id", "projects.handle", "accounts.handle as owner_handle"]);
  const rows = await query().where("projects.id", "=", own).execute();
  if (viewer && others.length)
    rows.push(...(await whereVisible(query(), viewer).where("projects.id", "in", others).execute()));
  return new Map(rows.map((r) => [r.id, `${r.owner_handle}/${r.handle}`]));
}
