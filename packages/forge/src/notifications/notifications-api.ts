// Notifications over the API: the inbox and its unread count, marking read, watching a project,
// mail settings (scope user), and the one-click unsubscribe of mails (RFC 8058: the link's token
// is the credential, so it needs none).
import { createRoute, z } from "@hono/zod-openapi";
import { apiRouter, json, jsonBody, PUBLIC, problems, requireUser, scoped } from "../api/openapi.ts";
import { notFound } from "../errors/app-error.ts";
import {
  getSettings,
  getWatch,
  listNotifications,
  markRead,
  putSettings,
  settingsSchema,
  setWatch,
  unreadCount,
  unsubscribe,
  WATCH_LEVELS,
} from "./notifications-service.ts";

export const notificationsApi = apiRouter();

const Item = z
  .object({
    id: z.number(),
    kind: z.string(),
    reason: z.string(),
    title: z.string(),
    url: z.string(),
    actor: z.string().nullable(),
    project: z.string().nullable().openapi({
      description: "owner/name; null for a note from a remote actor you follow (kind federation.note)",
    }),
    unread: z.boolean(),
    created_at: z.string(),
  })
  .openapi("Notification");
const Inbox = z.object({ unread: z.number(), items: z.array(Item) }).openapi("Inbox");
const Watch = z.object({ level: z.enum(WATCH_LEVELS).nullable() }).openapi("Watch");
const Settings = z
  .object({
    email: z.enum(["instant", "daily", "off"]),
    muted_kinds: z.array(z.string()),
    kinds: z.array(z.string()),
  })
  .openapi("NotificationSettings");
const P = z.object({ owner: z.string().max(100), project: z.string().max(200) });

notificationsApi.openapi(
  createRoute({
    method: "get",
    path: "/notifications",
    tags: ["notifications"],
    summary: "Your notifications, newest first (only of projects you may still read)",
    ...scoped("user"),
    request: {
      query: z.object({
        unread: z.enum(["true", "false"]).optional(),
        limit: z.coerce.number().int().min(1).max(100).optional(),
        before: z.coerce.number().int().optional(),
        since: z.coerce.number().int().min(0).optional().openapi({
          description:
            "A notification id: only newer notifications (pass the largest id you hold); the unread count is always the whole inbox's. A notification written by a fan-out that committed late may carry a smaller id: refresh without since now and then.",
        }),
      }),
    },
    responses: { 200: json(Inbox, "Unread count and notifications"), 401: problems[401] },
  }),
  async (c) => {
    requireUser(c);
    const q = c.req.valid("query");
    const db = c.get("forge").db;
    const viewer = c.get("viewer");
    const items = await listNotifications(db, viewer, {
      unread: q.unread === "true",
      limit: q.limit,
      before: q.before,
      since: q.since,
    });
    return c.json({ unread: await unreadCount(db, viewer), items }, 200);
  },
);

notificationsApi.openapi(
  createRoute({
    method: "post",
    path: "/notifications/read",
    tags: ["notifications"],
    summary: "Mark notifications read: the given ids, or all without ids",
    ...scoped("user"),
    request: {
      body: {
        required: false,
        content: {
          "application/json": { schema: z.object({ ids: z.array(z.number().int()).max(500).optional() }) },
        },
      },
    },
    responses: { 200: json(z.object({ unread: z.number() }), "Unread left"), 401: problems[401] },
  }),
  async (c) => {
    requireUser(c);
    const body = (await c.req.json().catch(() => ({}))) as { ids?: number[] };
    const ids = Array.isArray(body?.ids)
      ? body.ids.filter((i) => Number.isInteger(i)).slice(0, 500)
      : undefined;
    return c.json({ unread: await markRead(c.get("forge").db, c.get("viewer"), ids) }, 200);
  },
);

notificationsApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/watch",
    tags: ["notifications"],
    summary: "How you watch a project (null: not watching; you still hear of your own sessions and mentions)",
    ...scoped("user"),
    request: { params: P },
    responses: { 200: json(Watch, "Your watch"), 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    requireUser(c);
    const { owner, project } = c.req.valid("param");
    return c.json(await getWatch(c.get("forge").db, c.get("viewer"), owner, project), 200);
  },
);

notificationsApi.openapi(
  createRoute({
    method: "put",
    path: "/projects/{owner}/{project}/watch",
    tags: ["notifications"],
    summary: "Watch a project: all activity, sessions, releases (tags), or ignore it; null stops watching",
    ...scoped("user"),
    request: { params: P, body: jsonBody(Watch) },
    responses: { 200: json(Watch, "Your watch"), 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    requireUser(c);
    const { owner, project } = c.req.valid("param");
    return c.json(
      await setWatch(c.get("forge").db, c.get("viewer"), owner, project, c.req.valid("json")),
      200,
    );
  },
);

notificationsApi.openapi(
  createRoute({
    method: "get",
    path: "/user/notification-settings",
    tags: ["notifications"],
    summary: "Your notification mail settings",
    ...scoped("user"),
    responses: { 200: json(Settings, "Settings"), 401: problems[401] },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await getSettings(c.get("forge").db, c.get("viewer")), 200);
  },
);

notificationsApi.openapi(
  createRoute({
    method: "put",
    path: "/user/notification-settings",
    tags: ["notifications"],
    summary: "Change your notification mail settings: email instant, daily (a digest) or off; muted_kinds",
    ...scoped("user"),
    request: { body: jsonBody(settingsSchema.openapi("NotificationSettingsRequest")) },
    responses: { 200: json(Settings, "Settings"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await putSettings(c.get("forge").db, c.get("viewer"), c.req.valid("json")), 200);
  },
);

notificationsApi.openapi(
  createRoute({
    method: "post",
    path: "/notifications/unsubscribe/{token}",
    tags: ["notifications"],
    summary: "One-click unsubscribe from notification mails (the link in List-Unsubscribe)",
    ...PUBLIC,
    request: { params: z.object({ token: z.string().max(100) }) },
    responses: { 200: json(z.object({ unsubscribed: z.boolean() }), "Done"), 404: problems[404] },
  }),
  async (c) => {
    const ok = await unsubscribe(c.get("forge").db, c.req.valid("param").token);
    if (!ok) throw notFound("This unsubscribe link is not valid (any more)");
    return c.json({ unsubscribed: true }, 200);
  },
);
