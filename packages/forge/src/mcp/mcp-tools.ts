// The forge's implementation of the MCP tools (@micelio/core/mcp/tools): each calls the
// services its REST route calls, as the token's viewer, and answers the same JSON. A tool's
// declared scope is enforced first, as the API router enforces a route's.

import { changesBody } from "@micelio/core/mcp/register";
import { MCP_TOOLS, type McpHandlers } from "@micelio/core/mcp/tools";
import type { Viewer } from "../accounts/viewer.ts";
import { requireScope } from "../api/openapi.ts";
import { blameJson } from "../blame/blame-json.ts";
import { blameFile } from "../blame/blame-service.ts";
import { MAX_API_BLOB_BYTES } from "../browse/browse-api.ts";
import { blobJson, treeJson } from "../browse/browse-json.ts";
import { locate, openRepo, type Repo, readDirectory, readEntry } from "../browse/browse-service.ts";
import { sessionValidationsAs } from "../checks/validation-gate.ts";
import { AppError, invalid, notFound } from "../errors/app-error.ts";
import type { Forge } from "../http/context.ts";
import { getProject, projectJson } from "../projects/projects-service.ts";
import { instancePrompts, projectPrompts, registryJson } from "../prompts/registry-service.ts";
import { listTemplates, templateJson } from "../prompts/templates-service.ts";
import { instanceQuality, projectQuality } from "../quality/quality-service.ts";
import { commentsAs, createComment } from "../reviews/comments-service.ts";
import { searchCode } from "../search/code-search.ts";
import { searchProjects } from "../search/project-search.ts";
import { listLandings } from "../sessions/landings-log.ts";
import {
  landSessionAs,
  putSessionChanges,
  sessionDetail,
  syncSessionAs,
} from "../sessions/session-actions.ts";
import {
  appendEvents,
  commitAtPosition,
  createSession,
  getSession,
  listSessions,
  sessionJson,
  setStatus,
} from "../sessions/sessions-service.ts";
import { syncInfo } from "../sessions/sync-info.ts";
import { standingFor } from "../trust/agent-standing.ts";
import { agentRecord } from "../trust/agent-stats.ts";
import { budgetReport } from "../trust/review-budget.ts";

/** "ref/path" for the browse service: trunk by default, or the commit a trunk position names. */
async function refPath(forge: Forge, repo: Repo, at: { ref?: string; position?: number }, path: string) {
  if (at.ref !== undefined && at.position !== undefined) throw invalid("Give ref or position, not both");
  let ref = at.ref ?? "main";
  if (at.position !== undefined) {
    const commit = await commitAtPosition(forge.db, repo.project.id, at.position);
    if (!commit) throw notFound(`No landing at position ${at.position}`);
    ref = commit;
  }
  const clean = path.replace(/^\/+|\/+$/g, "");
  return clean ? `${ref}/${clean}` : ref;
}

function implement(forge: Forge, viewer: Viewer): McpHandlers {
  const { db } = forge;
  return {
    search_projects: async (a) => {
      const found = await searchProjects(db, viewer, {
        q: a.query,
        sort: a.sort,
        limit: a.limit,
        cursor: a.cursor,
      });
      return { ...found, items: found.items.map((p) => projectJson(p)) };
    },
    search_code: async (a) => {
      const { repo: _repo, ...found } = await searchCode(forge, viewer, a.owner, a.project, {
        q: a.query,
        regex: a.regex,
        ignoreCase: a.ignore_case,
        ref: a.ref,
        limit: a.limit,
      });
      return found;
    },
    read_file: async (a) => {
      const repo = await openRepo(forge, viewer, a.owner, a.project);
      const loc = await locate(repo, await refPath(forge, repo, a, a.path));
      if (!loc.path) throw notFound("Not a file");
      const f = await readEntry(repo, loc, MAX_API_BLOB_BYTES);
      if (f.entry.type !== "blob") throw notFound("Not a file");
      if (f.tooLarge) throw new AppError("too_large", `The file is larger than ${MAX_API_BLOB_BYTES} bytes`);
      return blobJson(loc, f);
    },
    list_tree: async (a) => {
      const repo = await openRepo(forge, viewer, a.owner, a.project);
      const loc = await locate(repo, await refPath(forge, repo, a, a.path ?? ""));
      const dir = await readDirectory(forge, repo, loc);
      if (!dir) throw notFound("Not a directory");
      return treeJson(loc, dir);
    },
    blame_file: async (a) => {
      const repo = await openRepo(forge, viewer, a.owner, a.project);
      const view = await blameFile(forge, repo, await locate(repo, await refPath(forge, repo, a, a.path)));
      return blameJson(view, a.content !== false);
    },
    list_landings: async (a) => {
      const { project } = await getProject(db, viewer, a.owner, a.project);
      return listLandings(db, project.id, { before: a.before, limit: a.limit });
    },
    list_sessions: async (a) => {
      const { project } = await getProject(db, viewer, a.owner, a.project);
      const { owner: _o, project: _p, ...filter } = a;
      return (await listSessions(db, project, filter)).map(sessionJson);
    },
    get_session: async (a) => {
      const { session, changeSummary } = await sessionDetail(forge, viewer, a.owner, a.project, a.session_id);
      return { ...sessionJson(session), change_summary: changeSummary };
    },
    open_session: async (a) => {
      const { owner, project, ...input } = a;
      return sessionJson((await createSession(db, viewer, owner, project, input)).session);
    },
    append_events: async (a) => {
      const { session } = await getSession(db, viewer, a.owner, a.project, a.session_id, "write");
      return appendEvents(db, session, a.events);
    },
    put_changes: (a) =>
      putSessionChanges(forge, viewer, a.owner, a.project, a.session_id, changesBody(a.changes)),
    land_session: async (a) => {
      const landed = await landSessionAs(forge, viewer, a.owner, a.project, a.session_id, {
        generated_at: a.generated_at,
      });
      return { ...landed, session: sessionJson(landed.session) };
    },
    list_validations: (a) => sessionValidationsAs(forge, viewer, a.owner, a.project, a.session_id),
    list_session_comments: (a) =>
      commentsAs(db, viewer, a.owner, a.project, a.session_id, { kind: a.kind, after: a.after }),
    add_session_comment: (a) => {
      const { owner, project, session_id, ...input } = a;
      return createComment(forge, viewer, owner, project, session_id, input);
    },
    sync_info: (a) => syncInfo(forge, viewer, a.owner, a.project, a.session_id),
    sync_session: async (a) => {
      const body = a.base === undefined ? {} : { base: a.base };
      const synced = await syncSessionAs(forge, viewer, a.owner, a.project, a.session_id, body);
      return { ...synced, session: sessionJson(synced.session) };
    },
    abandon_session: async (a) => {
      const { session } = await getSession(db, viewer, a.owner, a.project, a.session_id, "write");
      return sessionJson(await setStatus(db, session, "abandoned"));
    },
    search_prompts: async ({ owner, project, query, ...rest }) => {
      const f = { ...rest, q: query };
      if (owner === undefined && project === undefined) {
        if (f.template) throw invalid("template needs a project: give owner and project");
        return registryJson(await instancePrompts(db, viewer, f));
      }
      if (!owner || !project) throw invalid("Give both owner and project, or neither (every project)");
      const { project: p } = await getProject(db, viewer, owner, project);
      return registryJson(await projectPrompts(db, p, f));
    },
    list_prompt_templates: async (a) => {
      const { project } = await getProject(db, viewer, a.owner, a.project);
      return (await listTemplates(db, project)).map((t) => templateJson(project, t));
    },
    get_agent_record: async (a) => {
      const record = await agentRecord(db, viewer, a.agent);
      if (!record) throw notFound("No sessions by this agent that you can see");
      return record;
    },
    get_agent_standing: (a) => standingFor(db, viewer, a.owner, a.project, a.agent, a.account),
    get_review_budget: async (a) => {
      const { project } = await getProject(db, viewer, a.owner, a.project);
      return budgetReport(db, project, a.weeks);
    },
    get_quality_report: async ({ owner, project, weeks }) => {
      if (owner === undefined && project === undefined) return instanceQuality(db, viewer, { weeks });
      if (!owner || !project) throw invalid("Give both owner and project, or neither (every project)");
      return (await projectQuality(db, viewer, owner, project, { weeks })).report;
    },
  };
}

/** The tools for one viewer, each refusing a token without the scope it declares. */
export function forgeHandlers(forge: Forge, viewer: Viewer): McpHandlers {
  const handlers = implement(forge, viewer);
  const guarded: Record<string, (args: never) => Promise<unknown>> = {};
  for (const tool of MCP_TOOLS) {
    const run = handlers[tool.name] as (args: never) => Promise<unknown>;
    guarded[tool.name] = async (args) => {
      if (tool.access !== "public") requireScope(viewer, tool.access);
      return run(args);
    };
  }
  return guarded as unknown as McpHandlers;
}
