// micelio.sessions.v1.SessionService: each method turns its request into the input the
// sessions services take (the same shapes the REST API validates) and their results into
// messages. Nothing here decides access or validity: sessions/ and landing/ do, as for REST.
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { invalid, unauthorized } from "../errors/app-error.ts";
import type { Forge } from "../http/context.ts";
import { getProject } from "../projects/projects-service.ts";
import {
  landSessionAs,
  putSessionChanges,
  sessionDetail,
  syncSessionAs,
} from "../sessions/session-actions.ts";
import {
  appendEvents,
  createSession,
  getSession,
  listSessions,
  setStatus,
} from "../sessions/sessions-service.ts";
import { sessionEventStream } from "./event-stream.ts";
import type { ProjectRef, SessionService } from "./gen/micelio/sessions/v1/sessions_pb.ts";
import { VIEWER } from "./grpc-auth.ts";
import { originName, sessionMessage, statusName } from "./session-messages.ts";

/** Access as the REST routes declare it (sessions-api.ts, events-api.ts): "public" or a token scope. */
export const SESSION_ACCESS = {
  createSession: "session:write",
  getSession: "public",
  listSessions: "public",
  appendEvents: "session:write",
  putChanges: "session:write",
  landSession: "session:write",
  syncSession: "session:write",
  abandonSession: "session:write",
  streamEvents: "public",
} as const satisfies Record<keyof typeof SessionService.method, string>;

const MAX_EVENTS = 1000;

function target(project: ProjectRef | undefined, sessionId?: string) {
  if (!project?.owner || !project.project)
    throw invalid("project: owner and project are required", [
      { field: "project", message: "owner and project are required" },
    ]);
  return { owner: project.owner, project: project.project, id: sessionId ?? "" };
}

const viewerOf = (ctx: HandlerContext) => ctx.values.get(VIEWER);

export function sessionServiceImpl(forge: Forge): ServiceImpl<typeof SessionService> {
  const { db } = forge;
  return {
    async createSession(req, ctx) {
      const t = target(req.project);
      const { session } = await createSession(db, viewerOf(ctx), t.owner, t.project, {
        goal: req.goal,
        agent: req.agent
          ? { name: req.agent.name, model: req.agent.model, version: req.agent.version }
          : undefined,
        origin: originName(req.origin),
        base: req.base,
        prompt: req.prompt
          ? {
              text: req.prompt.text,
              system: req.prompt.system,
              environment: Object.keys(req.prompt.environment).length ? req.prompt.environment : undefined,
              cost_usd: req.prompt.costUsd,
              execution_ms: req.prompt.executionMs === undefined ? undefined : Number(req.prompt.executionMs),
              revises: req.prompt.revises,
              template: req.prompt.template,
            }
          : undefined,
        generation_depth: req.generationDepth,
        context_sessions: req.contextSessions.length ? req.contextSessions : undefined,
      });
      return { session: sessionMessage(session) };
    },

    async getSession(req, ctx) {
      const t = target(req.project, req.sessionId);
      const { session, changeSummary } = await sessionDetail(forge, viewerOf(ctx), t.owner, t.project, t.id);
      return {
        session: sessionMessage(session),
        changeSummary: changeSummary
          ? { text: changeSummary.text, model: changeSummary.model ?? undefined }
          : undefined,
      };
    },

    async listSessions(req, ctx) {
      const t = target(req.project);
      if (req.limit !== undefined && (req.limit < 1 || req.limit > 100))
        throw invalid("limit must be between 1 and 100", [{ field: "limit", message: "1 to 100" }]);
      const { project } = await getProject(db, viewerOf(ctx), t.owner, t.project);
      const rows = await listSessions(db, project, {
        status: statusName(req.status),
        origin: originName(req.origin),
        agent: req.agent,
        before: req.before,
        limit: req.limit,
      });
      return { sessions: rows.map(sessionMessage) };
    },

    async appendEvents(req, ctx) {
      const t = target(req.project, req.sessionId);
      const viewer = viewerOf(ctx);
      if (!viewer.user) throw unauthorized();
      if (req.events.length < 1 || req.events.length > MAX_EVENTS)
        throw invalid(`events: send 1 to ${MAX_EVENTS} events`, [
          { field: "events", message: `1 to ${MAX_EVENTS} events` },
        ]);
      const { session } = await getSession(db, viewer, t.owner, t.project, t.id, "write");
      return { events: await appendEvents(db, session, req.events) };
    },

    async putChanges(req, ctx) {
      const t = target(req.project, req.sessionId);
      const changes = req.changes.map((c, i) => {
        if (c.change.case === "content")
          return { path: c.path, content: Buffer.from(c.change.value).toString("base64"), mode: c.mode };
        if (c.change.case === "delete" && c.change.value) return { path: c.path, delete: true as const };
        throw invalid(`changes.${i}: set content, or delete to true`, [
          { field: `changes.${i}`, message: "set content, or delete to true" },
        ]);
      });
      return putSessionChanges(forge, viewerOf(ctx), t.owner, t.project, t.id, { changes }).then((r) => ({
        commit: r.commit,
        tree: r.tree,
        paths: r.paths,
        linesAdded: r.lines_added,
        linesRemoved: r.lines_removed,
      }));
    },

    async landSession(req, ctx) {
      const t = target(req.project, req.sessionId);
      const landed = await landSessionAs(forge, viewerOf(ctx), t.owner, t.project, t.id);
      return {
        position: landed.position,
        commit: landed.commit,
        tree: landed.tree,
        commitObject: landed.commit_object ? Buffer.from(landed.commit_object, "base64") : undefined,
        session: sessionMessage(landed.session),
      };
    },

    async syncSession(req, ctx) {
      const t = target(req.project, req.sessionId);
      const synced = await syncSessionAs(forge, viewerOf(ctx), t.owner, t.project, t.id, {
        base: req.base,
        commit: req.commit,
      });
      return {
        basePosition: synced.base_position,
        baseCommit: synced.base_commit ?? undefined,
        commit: synced.commit ?? undefined,
        replayed: synced.replayed,
        session: sessionMessage(synced.session),
      };
    },

    async abandonSession(req, ctx) {
      const t = target(req.project, req.sessionId);
      const viewer = viewerOf(ctx);
      if (!viewer.user) throw unauthorized();
      const { session } = await getSession(db, viewer, t.owner, t.project, t.id, "write");
      return { session: sessionMessage(await setStatus(db, session, "abandoned")) };
    },

    streamEvents(req, ctx) {
      const t = target(req.project, req.sessionId);
      return sessionEventStream(forge, viewerOf(ctx), t, {
        afterSeq: req.afterSeq,
        follow: req.follow,
        signal: ctx.signal,
      });
    },
  };
}
