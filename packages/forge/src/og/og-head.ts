// The Open Graph picture of a page, for its <head>: builds the same card as the picture's
// route (og-pages.ts), so the URL in og:image carries the hash the route will serve.
import type { Context } from "hono";
import type { CommitInfo } from "../browse/git-history.ts";
import type { Account } from "../db/schema.ts";
import type { AppEnv } from "../http/context.ts";
import { publicOrigin } from "../meta/urls.ts";
import type { ProjectWithOwner } from "../projects/projects-service.ts";
import type { SessionRow } from "../sessions/session-types.ts";
import type { StoredSummary } from "../summaries/change-summary.ts";
import { type OgImageMeta, ogImageMeta } from "./og-service.ts";
import {
  accountCard,
  commitCard,
  findLanding,
  landingCard,
  projectCard,
  sessionCard,
  sessionChangeOf,
} from "./og-subjects.ts";

const projectPath = (p: ProjectWithOwner) => `/${p.owner_handle}/${p.handle}`;

export async function projectOgImage(c: Context<AppEnv>, p: ProjectWithOwner): Promise<OgImageMeta> {
  return ogImageMeta(publicOrigin(c), projectPath(p), await projectCard(c.get("forge"), p));
}

export async function accountOgImage(c: Context<AppEnv>, a: Account): Promise<OgImageMeta> {
  return ogImageMeta(publicOrigin(c), `/${a.handle}`, await accountCard(c.get("forge").db, a));
}

/** The session page's picture, and the summary of its change the page shows too. */
export async function sessionOgImage(
  c: Context<AppEnv>,
  p: ProjectWithOwner,
  s: SessionRow,
): Promise<{ image: OgImageMeta; summary?: StoredSummary }> {
  const forge = c.get("forge");
  const change = await sessionChangeOf(forge, p, s);
  const card = await sessionCard(forge, p, s, change);
  return {
    image: ogImageMeta(publicOrigin(c), `${projectPath(p)}/sessions/${s.id}`, card),
    summary: change.summary,
  };
}

/**
 * The picture of a commit's page: its landing's when the commit landed on trunk (a landing
 * is the commit's story: goal, agent, position), otherwise the commit's own.
 */
export async function commitOgImage(
  c: Context<AppEnv>,
  p: ProjectWithOwner,
  commit: CommitInfo,
): Promise<OgImageMeta> {
  const forge = c.get("forge");
  const landing = await findLanding(forge.db, p.id, { commit: commit.sha });
  if (landing) {
    const card = await landingCard(forge, p, landing);
    return ogImageMeta(publicOrigin(c), `${projectPath(p)}/landings/${landing.position}`, card);
  }
  const card = await commitCard(forge, p, commit);
  return ogImageMeta(publicOrigin(c), `${projectPath(p)}/commit/${commit.sha}`, card);
}
