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
import { getAccountByHandle } from "../accounts/accounts-service.ts";
import { getCommit } from "../browse/git-history.ts";
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

async function serve(c: Context<AppEnv>, base: string, card: OgCard, isPrivate: boolean) {
  const hash = ogHash(card);
  const priv: Record<string, string> = isPrivate ? { "Cross-Origin-Resource-Policy": "same-origin" } : {};
  if (c.req.param("file") !== `${hash}.png`) {
    return c.body(null, 302, {
      Location: `${base}/og/${hash}.png`,
      "Cache-Control": isPrivate ? "private, no-cache" : "no-cache",
      ...priv,
    });
  }
  const png = await ogImage(c.get("forge"), card);
  return c.body(new Uint8Array(png), 200, {
    "Content-Type": "image/png",
    "Cache-Control": `${isPrivate ? "private" : "public"}, ${IMMUTABLE}`,
    ETag: `"${hash}"`,
    ...priv,
  });
}

ogPages.get(`/:owner/og/:file${FILE}`, async (c) => {
  const account = await getAccountByHandle(c.get("forge").db, c.req.param("owner"));
  return serve(c, `/${account.handle}`, await accountCard(c.get("forge").db, account), false);
});

ogPages.get(`/:owner/:project/og/:file${FILE}`, async (c) => {
  const forge = c.get("forge");
  const { project: p } = await getProject(
    forge.db,
    c.get("viewer"),
    c.req.param("owner"),
    c.req.param("project"),
  );
  return serve(c, `/${p.owner_handle}/${p.handle}`, await projectCard(forge, p), p.visibility === "private");
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
  const base = `/${p.owner_handle}/${p.handle}/sessions/${s.id}`;
  return serve(c, base, await sessionCard(forge, p, s), p.visibility === "private");
});

ogPages.get(`/:owner/:project/landings/:position{[1-9][0-9]{0,9}}/og/:file${FILE}`, async (c) => {
  const forge = c.get("forge");
  const { project: p } = await getProject(
    forge.db,
    c.get("viewer"),
    c.req.param("owner"),
    c.req.param("project"),
  );
  const position = Number(c.req.param("position"));
  const landing = position <= 2_147_483_647 ? await findLanding(forge.db, p.id, { position }) : undefined;
  if (!landing) throw notFound("Landing not found");
  const base = `/${p.owner_handle}/${p.handle}/landings/${position}`;
  return serve(c, base, await landingCard(forge, p, landing), p.visibility === "private");
});

ogPages.get(`/:owner/:project/commit/:sha{[0-9a-f]{40,64}}/og/:file${FILE}`, async (c) => {
  const forge = c.get("forge");
  const { project: p } = await getProject(
    forge.db,
    c.get("viewer"),
    c.req.param("owner"),
    c.req.param("project"),
  );
  const sha = c.req.param("sha");
  const commit = forge.repos.exists(p.id)
    ? await getCommit(forge.repos.dir(p.id), sha).catch(() => undefined)
    : undefined;
  if (!commit || commit.sha !== sha) throw notFound("Commit not found");
  const base = `/${p.owner_handle}/${p.handle}/commit/${sha}`;
  return serve(c, base, await commitCard(forge, p, commit), p.visibility === "private");
});
