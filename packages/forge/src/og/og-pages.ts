// Routes of Open Graph pictures, each a 1200×630 PNG named by its content hash:
//   /{owner}/og/{hash}.png                                 a user or an organization
//   /{owner}/{project}/og/{hash}.png                       a project
//   /{owner}/{project}/sessions/{id}/og/{hash}.png         a session
//   /{owner}/{project}/landings/{position}/og/{hash}.png   a landing on trunk
//   /{owner}/{project}/commit/{sha}/og/{hash}.png          any other commit
// Access is the page's: a private project's pictures are 404 to whoever may not read it.
// The current hash is served as immutable; an old hash (the subject has changed since)
// answers 302 to the current picture, not cached, so a crawler holding an old URL gets today's.
import type { Context } from "hono";
import { Hono } from "hono";
import { getVisibleAccount } from "../accounts/accounts-service.ts";
import { getCommit } from "../browse/git-history.ts";
import { resolveCommitId } from "../browse/git-read.ts";
import { notFound } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { getProject } from "../projects/projects-service.ts";
import { getSession } from "../sessions/sessions-service.ts";
import type { OgCard } from "./og-card.ts";
import { ogHash, ogImage } from "./og-service.ts";
import {
  accountCard,
  commitCard,
  findLanding,
  landingCard,
  projectCard,
  sessionCard,
} from "./og-subjects.ts";

export const ogPages = new Hono<AppEnv>();

const FILE = "{[0-9a-f]{32}\\.png}";
const IMMUTABLE = "max-age=31536000, immutable";

/** `ownerId`: whose artifact the picture is (the project's owner, the account): its bucket, if set. */
async function serve(c: Context<AppEnv>, path: string, card: OgCard, secret: boolean, ownerId: string) {
  const hash = ogHash(card);
  const corp: Record<string, string> = secret ? { "Cross-Origin-Resource-Policy": "same-origin" } : {};
  if (c.req.param("file") !== `${hash}.png`) {
    return c.body(null, 302, {
      Location: `${path}/og/${hash}.png`,
      "Cache-Control": secret ? "private, no-cache" : "no-cache",
      ...corp,
    });
  }
  const png = await ogImage(c.get("forge"), card, ownerId);
  return c.body(new Uint8Array(png), 200, {
    "Content-Type": "image/png",
    "Cache-Control": `${secret ? "private" : "public"}, ${IMMUTABLE}`,
    ETag: `"${hash}"`,
    ...corp,
  });
}

/** The project named in the path, if the viewer may read it (404 otherwise). */
async function projectOf(c: Context<AppEnv>) {
  const owner = c.req.param("owner") ?? "";
  const project = c.req.param("project") ?? "";
  return (await getProject(c.get("forge").db, c.get("viewer"), owner, project)).project;
}

const base = (p: { owner_handle: string; handle: string }) => `/${p.owner_handle}/${p.handle}`;
const isPrivate = (p: { visibility: string }) => p.visibility === "private";

ogPages.get(`/:owner/og/:file${FILE}`, async (c) => {
  const account = await getVisibleAccount(c.get("forge").db, c.get("viewer"), c.req.param("owner"));
  return serve(c, `/${account.handle}`, await accountCard(c.get("forge").db, account), false, account.id);
});

ogPages.get(`/:owner/:project/og/:file${FILE}`, async (c) => {
  const forge = c.get("forge");
  const p = await projectOf(c);
  return serve(c, base(p), await projectCard(forge, p), isPrivate(p), p.owner_id);
});

ogPages.get(`/:owner/:project/sessions/:id/og/:file${FILE}`, async (c) => {
  const forge = c.get("forge");
  const { project: p, session: s } = await getSession(
    forge.db,
    c.get("viewer"),
    c.req.param("owner"),
    c.req.param("project"),
    c.req.param("id"),
  );
  return serve(c, `${base(p)}/sessions/${s.id}`, await sessionCard(forge, p, s), isPrivate(p), p.owner_id);
});

ogPages.get(`/:owner/:project/landings/:position{[1-9][0-9]{0,9}}/og/:file${FILE}`, async (c) => {
  const forge = c.get("forge");
  const p = await projectOf(c);
  const position = Number(c.req.param("position"));
  const landing = position <= 2_147_483_647 ? await findLanding(forge.db, p.id, { position }) : undefined;
  if (!landing) throw notFound("Landing not found");
  return serve(
    c,
    `${base(p)}/landings/${position}`,
    await landingCard(forge, p, landing),
    isPrivate(p),
    p.owner_id,
  );
});

ogPages.get(`/:owner/:project/commit/:sha{[0-9a-f]{40,64}}/og/:file${FILE}`, async (c) => {
  const forge = c.get("forge");
  const p = await projectOf(c);
  const sha = c.req.param("sha");
  const dir = forge.repos.exists(p.id) ? forge.repos.dir(p.id) : undefined;
  // resolveCommitId: only a commit of this repository (a fork's own refs reach it).
  const commit = dir && (await resolveCommitId(dir, sha)) === sha ? await getCommit(dir, sha) : undefined;
  if (!commit) throw notFound("Commit not found");
  return serve(c, `${base(p)}/commit/${sha}`, await commitCard(forge, p, commit), isPrivate(p), p.owner_id);
});
