// JSON API for sessions: open one, append to its conversation, upload its changes, land it
// (200 with the position, or 409 listing the conflicting paths and who touched them),
// abandon it; and the trunk's landing log.

import { createRoute, z } from "@hono/zod-openapi";
import { sessionEventJsonSchema } from "@micelio/core";
import { apiRouter, json, jsonBody, PUBLIC, problems, requireUser, scoped } from "../api/openapi.ts";
import { submissionSchema } from "../attestation/attestation.ts";
import { getProject } from "../projects/projects-service.ts";
import { listLandings } from "./landings-log.ts";
import { landSessionAs, putSessionChanges, sessionDetail, syncSessionAs } from "./session-actions.ts";
import { auditSessionDecision } from "./session-audit.ts";
import { appliedSchema, changesSchema } from "./session-changes.ts";
import { parseKinds, sessionEventsSse, wantsEventStream } from "./session-events-sse.ts";
import { syncSchema } from "./session-sync.ts";
import {
  appendEvents,
  approveSession,
  createSession,
  createSessionSchema,
  getSession,
  listEvents,
  listSessions,
  rejectSchema,
  rejectSessionAs,
  sessionJson,
  setStatus,
} from "./sessions-service.ts";

export const sessionsApi = apiRouter();
const P = z.object({ owner: z.string().max(100), project: z.string().max(200) });
const S = P.extend({ id: z.string().max(40) });
const Session = z.record(z.string(), z.unknown()).openapi("Session");
const tags = ["sessions"];

sessionsApi.openapi(
  createRoute({
    method: "post",
    path: "/projects/{owner}/{project}/sessions",
    tags,
    summary: "Open a session (base defaults to the trunk head position)",
    ...scoped("session:write"),
    request: { params: P, body: jsonBody(createSessionSchema.openapi("CreateSessionRequest")) },
    responses: {
      201: json(Session, "The session"),
      400: problems[400],
      401: problems[401],
      403: problems[403],
      404: problems[404],
      409: problems[409],
    },
  }),
  async (c) => {
    requireUser(c);
    const { owner, project } = c.req.valid("param");
    const { session } = await createSession(
      c.get("forge").db,
      c.get("viewer"),
      owner,
      project,
      c.req.valid("json"),
    );
    return c.json(sessionJson(session), 201);
  },
);

sessionsApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/sessions",
    ...PUBLIC,
    tags,
    summary: "Sessions of a project, newest first",
    request: {
      params: P,
      query: z.object({
        status: z.enum(["open", "landed", "abandoned", "rejected"]).optional(),
        origin: z.enum(["human", "ai-assisted", "ai-generated"]).optional(),
        agent: z.string().max(100).optional(),
        review: z.enum(["ready"]).optional().openapi({
          description: "ready: open sessions that passed the quality gate and wait for approval",
        }),
        before: z.string().max(40).optional(),
        limit: z.coerce.number().int().min(1).max(100).optional(),
        since: z.iso.datetime({ offset: true }).optional().openapi({
          description:
            "An ISO 8601 time: only sessions opened or changed (status, changes, events, review, landing) at or after it. Pass the largest updated_at you hold and replace sessions by id.",
        }),
      }),
    },
    responses: { 200: json(z.array(Session), "Sessions"), 400: problems[400], 404: problems[404] },
  }),
  async (c) => {
    const { owner, project } = c.req.valid("param");
    const { project: p } = await getProject(c.get("forge").db, c.get("viewer"), owner, project);
    const { since, ...filter } = c.req.valid("query");
    const rows = await listSessions(c.get("forge").db, p, {
      ...filter,
      since: since ? new Date(since) : undefined,
    });
    return c.json(rows.map(sessionJson), 200);
  },
);

sessionsApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/sessions/{id}",
    ...PUBLIC,
    tags,
    summary: "A session",
    description:
      "The session, with change_summary: {text, model} when the forge's LLM has summarized its change (MICELIO_LLM_URL), else null.",
    request: { params: S },
    responses: { 200: json(Session, "The session"), 404: problems[404] },
  }),
  async (c) => {
    const { owner, project, id } = c.req.valid("param");
    const { session, changeSummary } = await sessionDetail(
      c.get("forge"),
      c.get("viewer"),
      owner,
      project,
      id,
    );
    // A one-line summary of the change, when the forge's LLM wrote one (summaries/).
    return c.json({ ...sessionJson(session), change_summary: changeSummary }, 200);
  },
);

sessionsApi.openapi(
  createRoute({
    method: "post",
    path: "/projects/{owner}/{project}/sessions/{id}/events",
    tags,
    summary: "Append events to the session's conversation",
    ...scoped("session:write"),
    request: {
      params: S,
      body: jsonBody(
        z.object({ events: z.array(z.unknown()).min(1).max(1000) }).openapi("AppendEventsRequest"),
      ),
    },
    responses: {
      201: json(z.array(z.object({ seq: z.number(), kind: z.string() })), "Appended"),
      400: problems[400],
      404: problems[404],
      409: problems[409],
    },
  }),
  async (c) => {
    requireUser(c);
    const { owner, project, id } = c.req.valid("param");
    const { session } = await getSession(c.get("forge").db, c.get("viewer"), owner, project, id, "write");
    return c.json(await appendEvents(c.get("forge").db, session, c.req.valid("json").events), 201);
  },
);

sessionsApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/sessions/{id}/events",
    ...PUBLIC,
    tags,
    summary: "The session's conversation, in order (JSON, or live as Server-Sent Events)",
    description:
      "With `Accept: text/event-stream`, the events after Last-Event-ID (or `after`) and then new ones as they arrive: `id` is the event's seq, `event` its kind, `data` the event; an `event: session` message carries the session first and at each change of status; the stream ends when the session closes (reconnect with Last-Event-ID otherwise). `kinds=progress,output` keeps only those kinds.",
    request: {
      params: S,
      query: z.object({
        after: z.coerce
          .number()
          .int()
          .min(0)
          .optional()
          .openapi({ description: "Only events after this seq" }),
        since: z.coerce.number().int().min(0).optional().openapi({
          description:
            "The same as after (a seq, exclusive): the delta a phone asks for, passing the last seq it holds",
        }),
        kinds: z
          .string()
          .max(400)
          .optional()
          .openapi({ description: "Event stream only: kinds to keep, comma-separated" }),
      }),
    },
    responses: {
      200: {
        description: "Events",
        content: {
          "application/json": { schema: z.array(z.record(z.string(), z.unknown())) },
          "text/event-stream": {
            schema: z.string().openapi({
              example:
                'id: 7\nevent: progress\ndata: {"seq":7,"kind":"progress","text":"tests","done":3,"total":10}\n\n',
            }),
          },
        },
      },
      404: problems[404],
    },
  }),
  async (c) => {
    const { owner, project, id } = c.req.valid("param");
    const { session } = await getSession(c.get("forge").db, c.get("viewer"), owner, project, id);
    if (wantsEventStream(c)) {
      const q = c.req.valid("query");
      return sessionEventsSse(c, { owner, project, id }, q.after ?? q.since, parseKinds(q.kinds)) as never;
    }
    const q = c.req.valid("query");
    return c.json(await listEvents(c.get("forge").db, session.id, q.after ?? q.since ?? 0), 200);
  },
);

sessionsApi.openapi(
  createRoute({
    method: "put",
    path: "/projects/{owner}/{project}/sessions/{id}/changes",
    tags,
    summary: "Upload file changes (base64 content or delete) on top of the session's current change",
    ...scoped("session:write"),
    request: { params: S, body: jsonBody(changesSchema.openapi("SessionChangesRequest")) },
    responses: {
      200: json(appliedSchema, "The session's change"),
      400: problems[400],
      404: problems[404],
      409: problems[409],
    },
  }),
  async (c) => {
    requireUser(c);
    const { owner, project, id } = c.req.valid("param");
    const body = c.req.valid("json");
    return c.json(await putSessionChanges(c.get("forge"), c.get("viewer"), owner, project, id, body), 200);
  },
);

sessionsApi.openapi(
  createRoute({
    method: "post",
    path: "/projects/{owner}/{project}/sessions/{id}/land",
    tags,
    summary: "Land the session on trunk",
    description:
      "Answers 409 problem+json with `conflicts`: [{path, position, session_id, goal, author, agent}] when landed work since the base touched the same paths. On success, `tree` and `commit_object` (the landed commit as git stores it, base64) let a client that holds the tree and the parent write the commit instead of fetching it.",
    ...scoped("session:write"),
    request: {
      params: S,
      body: { ...jsonBody(submissionSchema.openapi("LandRequest")), required: false },
    },
    responses: {
      200: json(
        z.object({
          position: z.number().int(),
          commit: z.string(),
          tree: z.string().optional(),
          commit_object: z.string().optional(),
          session: Session,
          validation: z.record(z.string(), z.unknown()).nullable().openapi({
            description: "The passing validation run (score, confidence, steps); null without checks",
          }),
        }),
        "Landed",
      ),
      400: problems[400],
      404: problems[404],
      409: problems[409],
    },
  }),
  async (c) => {
    requireUser(c);
    const { owner, project, id } = c.req.valid("param");
    const landed = await landSessionAs(
      c.get("forge"),
      c.get("viewer"),
      owner,
      project,
      id,
      c.req.valid("json"),
    );
    return c.json({ ...landed, session: sessionJson(landed.session) }, 200);
  },
);

sessionsApi.openapi(
  createRoute({
    method: "post",
    path: "/projects/{owner}/{project}/sessions/{id}/abandon",
    tags,
    summary: "Abandon an open session",
    ...scoped("session:write"),
    request: { params: S },
    responses: { 200: json(Session, "The session"), 404: problems[404], 409: problems[409] },
  }),
  async (c) => {
    requireUser(c);
    const { owner, project, id } = c.req.valid("param");
    const { session } = await getSession(c.get("forge").db, c.get("viewer"), owner, project, id, "write");
    return c.json(sessionJson(await setStatus(c.get("forge").db, session, "abandoned")), 200);
  },
);

sessionsApi.openapi(
  createRoute({
    method: "post",
    path: "/projects/{owner}/{project}/sessions/{id}/reject",
    tags,
    summary: "Reject an open session in review (project administrators; not its author)",
    description:
      "Closes the session as rejected with an optional reason. A rejection after a passing validation counts as slop in the agent's reputation (GET /agents/{name}).",
    ...scoped("session:write"),
    request: {
      params: S,
      body: {
        required: false,
        content: { "application/json": { schema: rejectSchema.openapi("RejectSessionRequest") } },
      },
    },
    responses: {
      200: json(Session, "The session"),
      403: problems[403],
      404: problems[404],
      409: problems[409],
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const { owner, project, id } = c.req.valid("param");
    const body = await c.req.json().catch(() => ({}));
    const rejected = await rejectSessionAs(
      c.get("forge").db,
      c.get("viewer"),
      user,
      owner,
      project,
      id,
      body,
    );
    await auditSessionDecision(
      c.get("forge").db,
      c.get("viewer"),
      { projectId: rejected.project_id, owner, project, id },
      "session.reject",
      { reason: rejected.status_reason },
    );
    return c.json(sessionJson(rejected), 200);
  },
);

sessionsApi.openapi(
  createRoute({
    method: "get",
    path: "/projects/{owner}/{project}/landings",
    ...PUBLIC,
    tags,
    summary: "Trunk's landings by position, newest first",
    request: {
      params: P,
      query: z.object({
        before: z.coerce.number().int().min(1).optional(),
        limit: z.coerce.number().int().min(1).max(200).optional(),
        commit: z
          .string()
          .regex(/^[0-9a-f]{40}$/, "commit must be a full 40-character object id")
          .optional()
          .openapi({
            description: "Only the landing whose trunk commit this is (finds a commit's position)",
          }),
      }),
    },
    responses: {
      200: json(z.array(z.record(z.string(), z.unknown())), "Landings"),
      400: problems[400],
      404: problems[404],
    },
  }),
  async (c) => {
    const { owner, project } = c.req.valid("param");
    const { project: p } = await getProject(c.get("forge").db, c.get("viewer"), owner, project);
    return c.json(await listLandings(c.get("forge").db, p.id, c.req.valid("query"), c.get("viewer")), 200);
  },
);

sessionsApi.openapi(
  createRoute({
    method: "get",
    path: "/schemas/session-event.json",
    ...PUBLIC,
    tags,
    summary: "JSON Schema of session events",
    responses: { 200: json(z.record(z.string(), z.unknown()), "JSON Schema (draft 2020-12)") },
  }),
  (c) => c.json(sessionEventJsonSchema() as Record<string, unknown>, 200),
);

sessionsApi.openapi(
  createRoute({
    method: "post",
    path: "/projects/{owner}/{project}/sessions/{id}/approve",
    tags,
    summary: "Approve an open session for landing (project administrators; not its author)",
    ...scoped("session:write"),
    request: { params: S },
    responses: {
      200: json(Session, "The session"),
      403: problems[403],
      404: problems[404],
      409: problems[409],
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const { owner, project, id } = c.req.valid("param");
    const { session } = await getSession(c.get("forge").db, c.get("viewer"), owner, project, id, "write");
    await getProject(c.get("forge").db, c.get("viewer"), owner, project, "admin");
    const approved = await approveSession(c.get("forge").db, session, user);
    const where = { projectId: session.project_id, owner, project, id };
    await auditSessionDecision(c.get("forge").db, c.get("viewer"), where, "session.approve");
    return c.json(sessionJson(approved), 200);
  },
);

sessionsApi.openapi(
  createRoute({
    method: "post",
    path: "/projects/{owner}/{project}/sessions/{id}/sync",
    tags,
    summary: "Move the session's base to a later trunk position, replaying its change",
    description:
      "Without `commit`, the forge replays the session's change onto `base` (default: the trunk head) with a three-way merge; 409 problem+json with `conflicts: [{path}]` when it does not apply cleanly. With `commit` (already pushed, its only parent the commit at `base`), the client's own replay becomes the session's change.",
    ...scoped("session:write"),
    request: { params: S, body: jsonBody(syncSchema.openapi("SyncSessionRequest")) },
    responses: {
      200: json(
        z.object({
          base_position: z.number().int(),
          base_commit: z.string().nullable(),
          commit: z.string().nullable(),
          replayed: z.boolean(),
          session: Session,
        }),
        "The session on its new base",
      ),
      400: problems[400],
      404: problems[404],
      409: problems[409],
    },
  }),
  async (c) => {
    requireUser(c);
    const { owner, project, id } = c.req.valid("param");
    const body = c.req.valid("json");
    const synced = await syncSessionAs(c.get("forge"), c.get("viewer"), owner, project, id, body);
    return c.json({ ...synced, session: sessionJson(synced.session) }, 200);
  },
);
