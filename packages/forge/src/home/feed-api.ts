// JSON API for the signed-in user's home feed: GET /user/feed, the same events as "Your feed"
// on the home page (profiles/activity.ts feedPage: what the accounts they follow did and what
// happened in the projects they starred, in projects the caller may read), newest first.
// Pages like the search API: {"items", "next_cursor"}, an opaque cursor naming the next of
// the home page's pages (20 events each, as many pages as the home page offers). With
// `since=<ISO 8601 time>` it answers only the events strictly after that time (a phone passes
// the created_at of the newest event it holds), newest first, at most SINCE_MAX of them.
import { createRoute, z } from "@hono/zod-openapi";
import { apiRouter, json, problems, requireUser, SIGNED_IN } from "../api/openapi.ts";
import { invalid } from "../errors/app-error.ts";
import {
  type ActivityScope,
  FEED_MAX_PAGE,
  FEED_SOURCES,
  type FeedItem,
  feedPage,
} from "../profiles/activity.ts";

export const feedApi = apiRouter();

const FeedEventSchema = z
  .object({
    type: z.enum(["landing", "push", "project", "star", "remote"]).openapi({
      description:
        "landing: a session landed on trunk; push: commits pushed to trunk; project: a project was created; star: a project was starred; remote: a note from a remote ActivityPub actor you follow (actor name@host, project host/name, title its text, url its link)",
    }),
    actor: z.string().openapi({ description: "Handle of who did it (for a new project: its owner)" }),
    project: z.string().openapi({ description: "owner/project" }),
    created_at: z.string().openapi({ description: "When it happened (ISO 8601)" }),
    title: z.string().openapi({
      description:
        "landing: the session's goal; push: its latest commit's subject; project and star: the project's name",
    }),
    position: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "landing: its position on trunk; push: the last position it made; else null" }),
    session_id: z.string().nullable().openapi({ description: "landing: the session; else null" }),
    landings: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "push: how many landings it made; else null" }),
    url: z.string().optional().openapi({ description: "remote: the note's link on its instance" }),
  })
  .openapi("FeedEvent");

const FeedPageSchema = z
  .object({
    items: z.array(FeedEventSchema),
    next_cursor: z.string().nullable().openapi({
      description: "Pass as cursor for the next (older) page; null on the last (and with since)",
    }),
    truncated: z.boolean().optional().openapi({
      description:
        "With since: true when more than 200 events happened since then; fetch the feed again without since",
    }),
  })
  .openapi("Feed");

export function feedEventJson(i: FeedItem): z.infer<typeof FeedEventSchema> {
  return {
    type: i.kind,
    actor: i.actor,
    project: `${i.owner}/${i.project}`,
    created_at: i.at.toISOString(),
    title: i.title,
    position: i.position ?? null,
    session_id: i.session ?? null,
    landings: i.landings ?? null,
    ...(i.url ? { url: i.url } : {}),
  };
}

const SINCE_MAX = 200;

/** The events strictly after `since`, newest first; truncated when there are more than SINCE_MAX. */
async function feedSince(s: ActivityScope, since: Date): Promise<{ items: FeedItem[]; truncated: boolean }> {
  const all: FeedItem[] = [];
  let truncated = false;
  for (const source of Object.values(FEED_SOURCES)) {
    const rows = await source(s, SINCE_MAX + 1);
    const newer = rows.filter((i) => i.at.getTime() > since.getTime());
    // Every row of a full answer is newer: older ones after `since` may be missing.
    if (rows.length > SINCE_MAX && newer.length === rows.length) truncated = true;
    all.push(...newer);
  }
  all.sort((a, b) => b.at.getTime() - a.at.getTime() || (b.position ?? 0) - (a.position ?? 0));
  return { items: all.slice(0, SINCE_MAX), truncated: truncated || all.length > SINCE_MAX };
}

const encodeCursor = (page: number) => Buffer.from(JSON.stringify({ p: page })).toString("base64url");

/** The page a cursor names; 400 when it is not one this API made. */
function decodeCursor(raw: string | undefined): number {
  if (raw === undefined || raw === "") return 0;
  try {
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(raw)) throw new Error("bad");
    const p = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"))?.p;
    if (Number.isInteger(p) && p >= 1 && p <= FEED_MAX_PAGE) return p;
  } catch {
    /* refused below */
  }
  throw invalid("cursor is not valid; use next_cursor from a previous answer", [
    { field: "cursor", message: "not a cursor from this API" },
  ]);
}

feedApi.openapi(
  createRoute({
    method: "get",
    path: "/user/feed",
    tags: ["follows"],
    summary: "Your home feed: activity of the accounts you follow and in the projects you starred",
    description:
      "Landings, pushes, new projects and stars, newest first, 20 a page — the home page's feed. " +
      "Only projects you may read appear. Events that happen while you page can shift older ones to the next page.",
    ...SIGNED_IN,
    request: {
      query: z.object({
        cursor: z.string().max(200).optional().openapi({ description: "next_cursor from the previous page" }),
        since: z.iso.datetime({ offset: true }).optional().openapi({
          description:
            "An ISO 8601 time: only the events strictly after it (pass the created_at of the newest event you hold), newest first, at most 200; the cursor is then ignored",
        }),
      }),
    },
    responses: {
      200: json(FeedPageSchema, "A page of the feed"),
      400: problems[400],
      401: problems[401],
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const query = c.req.valid("query");
    const scope = { db: c.get("forge").db, viewer: c.get("viewer"), follower: user.id };
    if (query.since) {
      const delta = await feedSince(scope, new Date(query.since));
      return c.json(
        { items: delta.items.map(feedEventJson), next_cursor: null, truncated: delta.truncated },
        200,
      );
    }
    const page = decodeCursor(query.cursor);
    const feed = await feedPage(scope, page);
    return c.json(
      { items: feed.items.map(feedEventJson), next_cursor: feed.older ? encodeCursor(page + 1) : null },
      200,
    );
  },
);
