// The Open Graph picture of a page, for its <head>: builds the same card as the picture's
// route (og-pages.ts), so the URL in og:image carries the hash the route will serve.
import type { Context } from "hono";
import type { Account } from "../db/schema.ts";
import type { AppEnv } from "../http/context.ts";
import { publicOrigin } from "../meta/urls.ts";
import type { ProjectWithOwner } from "../projects/projects-service.ts";
import type { SessionRow } from "../sessions/session-types.ts";
import { type OgImageMeta, ogImageMeta } from "./og-service.ts";
import { accountCard, findLanding, landingCard, projectCard, sessionCard } from "./og-subjects.ts";

const projectPath = (p: ProjectWithOwner) => `/${p.owner_handle}/${p.handle}`;

export async function projectOgImage(c: Context<AppEnv>, p: ProjectWithOwner): Promise<OgImageMeta> {
  return ogImageMeta(publicOrigin(c), projectPath(p), await projectCard(c.get("forge"), p));
}

export async function accountOgImage(c: Context<AppEnv>, a: Account): Promise<OgImageMeta> {
  return ogImageMeta(publicOrigin(c), `/${a.handle}`, await accountCard(c.get("forge").db, a));
}

export async function sessionOgImage(
  c: Context<AppEnv>,
  p: ProjectWithOwner,
  s: SessionRow,
): Promise<OgImageMeta> {
  const card = await sessionCard(c.get("forge").db, p, s);
  return ogImageMeta(publicOrigin(c), `${projectPath(p)}/sessions/${s.id}`, card);
}

/** The picture of the landing that made `commit`, when that commit is one on trunk. */
export async function landingOgImage(
  c: Context<AppEnv>,
  p: ProjectWithOwner,
  commit: string,
): Promise<OgImageMeta | undefined> {
  const db = c.get("forge").db;
  const row = await db
    .selectFrom("landings")
    .select("position")
    .where("project_id", "=", p.id)
    .where("commit_sha", "=", commit)
    .executeTakeFirst();
  const landing = row ? await findLanding(db, p.id, row.position) : undefined;
  if (!landing) return undefined;
  const card = await landingCard(db, p, landing);
  return ogImageMeta(publicOrigin(c), `${projectPath(p)}/landings/${landing.position}`, card);
}
